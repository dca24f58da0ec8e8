-- Only 1.2 (or later) counts as strong cryptography; the logic is min_tls_version (src/checks/macros.sql).
select * from min_tls_version('microsoft.web/sites', 'siteConfig.minTlsVersion', ['1.2', '1.3'], ['1.0', '1.1'], [])
union all
select * from min_tls_version('microsoft.web/sites/slots', 'siteConfig.minTlsVersion', ['1.2', '1.3'], ['1.0', '1.1'], [])
