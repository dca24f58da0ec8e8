-- Inbound Allow rules from the internet covering SSH (22) or RDP (3389); the rule logic is shared with the
-- database-port check in nsg_internet_exposure (src/checks/macros.sql).
select * from nsg_internet_exposure([22, 3389], 'SSH/RDP')
