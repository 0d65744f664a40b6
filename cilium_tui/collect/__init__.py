"""The only code that talks to a cluster or a host: the Kubernetes client, asyncssh, the scan."""
