-- Only an explicit true shows password sign-in is off; the logic is linux_password_auth (src/checks/macros.sql).
select * from linux_password_auth('microsoft.compute/virtualmachinescalesets', 'virtualMachineProfile.osProfile')
