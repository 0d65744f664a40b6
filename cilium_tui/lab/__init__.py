"""The embedded lab: Kubernetes API over HTTPS and SSH boards on loopback, seeded with scenarios."""
