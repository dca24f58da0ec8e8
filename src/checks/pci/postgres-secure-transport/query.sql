-- ON by default; the logic is secure_transport_required (src/checks/macros.sql).
select * from secure_transport_required('microsoft.dbforpostgresql/flexibleservers',
                                        'microsoft.dbforpostgresql/flexibleservers/configurations')
