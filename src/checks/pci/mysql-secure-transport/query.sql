-- ON by default; the logic is secure_transport_required (src/checks/macros.sql).
select * from secure_transport_required('microsoft.dbformysql/flexibleservers',
                                        'microsoft.dbformysql/flexibleservers/configurations')
