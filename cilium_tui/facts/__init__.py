"""Pure parsers of real command output into the frozen facts of `cilium_tui.model`. No I/O.

- `status` (`parse_status`, `looks_like_status`): agent status in any form, dispatching to
  `status_text` (`cilium-dbg status [--verbose]`) and `status_json` (StatusResponse, debuginfo,
  `-o yaml`); `status_values` holds the spellings both share.
- `node` (`parse_node`): a Node object as the API serves it.
- `config` (`parse_configmap`, `parse_configmap_yaml`, `SETTINGS`, `config_write_for`): the
  cilium-config ConfigMap, read and written per Cilium release.
- `kernel` (`parse_kernel`, `kernel_at_least`) and `version` (`parse_cilium_version`,
  `cilium_at_least`): comparable releases.
- `probe`: the SSH probe's output (written separately).
"""
