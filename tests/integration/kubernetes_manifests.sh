#!/usr/bin/env bash
# deploy/kubernetes (docs/fleet.md, "Kubernetes"): kustomize renders it offline (kubectl from
# Debian; a schema check needs a cluster: kubectl apply --dry-run=server -k), and the pieces fit:
# each StatefulSet's replicas equal its ENUMWATCH_SHARDS, the headless Service and the PodMonitor
# select every pod by a port that exists, probes hit /healthz and /readyz on the port the config
# listens on, the config and every secret file it names are mounted where it looks. The
# ConfigMap's config passes `enumwatch config-check` as pod enumwatch-a-2 would run it (host name
# and ENUMWATCH_SHARDS from the StatefulSet), and a pod beyond ENUMWATCH_SHARDS is refused.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${SYSTEM_PYTHON:-python3}
kubectl kustomize "$ROOT/deploy/kubernetes" >"$WORK/rendered.yaml" || fail "kubectl kustomize deploy/kubernetes failed"

"$PY" - "$WORK/rendered.yaml" "$WORK" <<'PY' || fail "the manifests do not fit together"
import os, re, sys, tomllib, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
work = sys.argv[2]
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["ConfigMap", "PodMonitor", "Secret", "Service", "StatefulSet", "StatefulSet"], kinds
by_kind = lambda k: [d for d in docs if d["kind"] == k]
config_map, = by_kind("ConfigMap")
secret, = by_kind("Secret")
service, = by_kind("Service")
monitor, = by_kind("PodMonitor")
config = tomllib.loads(config_map["data"]["enumwatch.toml"])
listen_port = int(config["daemon"]["listen"].rsplit(":", 1)[1])
assert config["daemon"]["shard"] == "auto", "the StatefulSets rely on shard = auto"
assert service["spec"].get("clusterIP") == "None", "the Service must be headless"

def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())

sets = by_kind("StatefulSet")
members = set()
for s in sets:
    name, spec = s["metadata"]["name"], s["spec"]
    pod = spec["template"]
    labels = pod["metadata"]["labels"]
    assert selects(spec["selector"]["matchLabels"], labels), f"{name}: selector misses its pods"
    assert spec["serviceName"] == service["metadata"]["name"], f"{name}: serviceName"
    assert selects(service["spec"]["selector"], labels), f"{name}: the Service does not select its pods"
    assert selects(monitor["spec"]["selector"]["matchLabels"], labels), f"{name}: the PodMonitor does not"
    container, = pod["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container.get("env", [])}
    assert int(env["ENUMWATCH_SHARDS"]) == spec["replicas"], f"{name}: replicas != ENUMWATCH_SHARDS"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == listen_port, f"{name}: containerPort {ports['http']} but listen on {listen_port}"
    assert service["spec"]["ports"][0]["targetPort"] in ports
    for endpoint in monitor["spec"]["podMetricsEndpoints"]:
        assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", f"{name}: liveness"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", f"{name}: readiness"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    args = container["args"]
    config_path = args[args.index("--config") + 1]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    config_mount = mounts[config_path]
    assert volumes[config_mount["name"]]["configMap"]["name"] == config_map["metadata"]["name"]
    assert config_mount["subPath"] == "enumwatch.toml"
    secret_files = [config["daemon"]["api_token_file"]] + [t["password_file"] for t in config["target"]]
    for path in secret_files:
        directory, key = os.path.split(path)
        mount = mounts.get(directory)
        assert mount, f"{name}: nothing mounted at {directory} for {path}"
        assert volumes[mount["name"]]["secret"]["secretName"] == secret["metadata"]["name"]
        assert key in secret["stringData"], f"the Secret has no {key} for {path}"
    state = config["daemon"]["state_dir"]
    assert state in mounts and mounts[state]["name"] in {c["metadata"]["name"] for c in spec["volumeClaimTemplates"]}, \
        f"{name}: state_dir {state} is not on a persistent volume"
    members.add(name)
    shards = spec["replicas"]
assert len(members) == 2 and len({s["spec"]["replicas"] for s in sets}) == 1, "an HA pair per shard: equal replicas"
# The config as a pod sees it, with its secret files and state under $WORK (modes as mounted).
os.makedirs(f"{work}/secrets", exist_ok=True)
text = config_map["data"]["enumwatch.toml"]
for path in secret_files:
    key = os.path.basename(path)
    with open(f"{work}/secrets/{key}", "w") as f:
        f.write(secret["stringData"][key] + "\n")
    os.chmod(f"{work}/secrets/{key}", 0o440)
    text = text.replace(path, f"{work}/secrets/{key}")
text = text.replace(f'state_dir = "{state}"', f'state_dir = "{work}/state"')
os.makedirs(f"{work}/state", exist_ok=True)
open(f"{work}/pod.toml", "w").write(text)
open(f"{work}/shards", "w").write(str(shards))
PY
SHARDS=$(cat "$WORK/shards")
in_pod() {  # in_pod HOSTNAME COMMAND...: as a pod of that name with the StatefulSet's environment
  local host=$1
  shift
  unshare --uts sh -c "hostname $host && exec env ENUMWATCH_SHARDS=$SHARDS \"\$@\"" sh "$@"
}
expect_exit 0 in_pod "enumwatch-a-$((SHARDS - 1))" "$ENUMWATCH" config-check --config "$WORK/pod.toml"
expect_contains "$OUT" "shard $((SHARDS - 1))/$SHARDS watches"
expect_exit 2 in_pod "enumwatch-b-$SHARDS" "$ENUMWATCH" config-check --config "$WORK/pod.toml"
expect_contains "$ERR" "but ENUMWATCH_SHARDS = $SHARDS"
pass "deploy/kubernetes renders, fits together, and its config passes config-check as a pod"
