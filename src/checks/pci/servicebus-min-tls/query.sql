-- Only 1.2 (or later) counts as strong cryptography; the logic is min_tls_version (src/checks/macros.sql).
select * from min_tls_version('microsoft.servicebus/namespaces', 'minimumTlsVersion', ['1.2', '1.3'], ['1.0', '1.1'], [])
