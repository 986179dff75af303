"""Reports for owners and admins: appointments, revenue and incomplete intake, each one
aggregated by the database over UTC ranges that Python computes in the organization's zone."""
