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
