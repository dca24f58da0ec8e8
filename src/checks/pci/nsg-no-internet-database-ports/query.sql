-- Inbound Allow rules from the internet covering a database port (param ports: SQL Server 1433, MySQL 3306,
-- PostgreSQL 5432, Oracle 1521, MongoDB 27017, Redis 6379); the rule logic is shared with the SSH/RDP check in
-- nsg_internet_exposure (src/checks/macros.sql).
select * from nsg_internet_exposure(
  list_transform(string_split(getvariable('ports'), ','), lambda p: cast(trim(p) as integer)),
  'database ports'
)
