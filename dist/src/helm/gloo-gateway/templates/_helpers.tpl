{{- define "gloo.fullname" -}}
{{- .Values.fullnameOverride | default "gloo-gateway" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gloo.labels" -}}
app.kubernetes.io/name: {{ include "gloo.fullname" . }}
{{- end -}}

{{- define "gloo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gloo.fullname" . }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{/*
RBAC rules on the namespaced kinds: what the source reads (get/list/watch), the statuses the writer updates, and,
with provisioning, the proxy objects the provisioner writes in the namespaces of Gateways of our class. Rendered into
the ClusterRole when every namespace is watched, else into one Role per watched namespace.
*/}}
{{- define "gloo.namespacedRules" -}}
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways, listenersets, httproutes, grpcroutes, tlsroutes, tcproutes, udproutes, referencegrants, backendtlspolicies]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways/status, listenersets/status, httproutes/status, grpcroutes/status, tlsroutes/status, tcproutes/status, udproutes/status, backendtlspolicies/status]
  verbs: [update, patch]
# Secrets: TLS certificates, CA bundles and auth secrets that Gateways and policies reference (the informer leaves
# out service-account tokens, image pull credentials and Helm releases by type).
- apiGroups: [""]
  resources: [secrets, configmaps, services]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [gateway.solo.io]
  resources: [routeoptions, virtualhostoptions, gateways, virtualservices, routetables]
  verbs: [get, list, watch]
- apiGroups: [gateway.solo.io]
  resources: [routeoptions/status, virtualhostoptions/status, gateways/status, virtualservices/status,
    routetables/status]
  verbs: [update, patch]
- apiGroups: [gloo.solo.io]
  resources: [upstreams, upstreamgroups]
  verbs: [get, list, watch]
- apiGroups: [gloo.solo.io]
  resources: [upstreams/status, upstreamgroups/status]
  verbs: [update, patch]
- apiGroups: [gateway.gloo.solo.io]
  resources: [directresponses]
  verbs: [get, list, watch]
- apiGroups: [gateway.gloo.solo.io]
  resources: [directresponses/status]
  verbs: [update, patch]
- apiGroups: [ratelimit.solo.io]
  resources: [ratelimitconfigs]
  verbs: [get, list, watch]
- apiGroups: [ratelimit.solo.io]
  resources: [ratelimitconfigs/status]
  verbs: [update, patch]
- apiGroups: [enterprise.gloo.solo.io]
  resources: [authconfigs]
  verbs: [get, list, watch]
- apiGroups: [enterprise.gloo.solo.io]
  resources: [authconfigs/status]
  verbs: [update, patch]
{{- if .Values.provisioning.enabled }}
# Proxy provisioning (the leader): per Gateway of our class, gloo-proxy-<gateway> objects in its namespace (get; list
# to find orphans), and the Secret holding the proxy's client certificate.
- apiGroups: [""]
  resources: [services, configmaps, secrets]
  verbs: [create, update, delete]
- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [get, list, create, update, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, create, update, delete]
# Owner references with blockOwnerDeletion on the provisioned objects need this on the owner.
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways/finalizers]
  verbs: [update]
{{- end }}
{{- end -}}

{{/* RBAC rules on cluster-scoped kinds: always cluster-wide. */}}
{{- define "gloo.clusterRules" -}}
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get, list, watch]
{{- end -}}
