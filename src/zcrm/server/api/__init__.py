"""The CRM API over HTTP: parse, call a service, render. Nothing else."""
