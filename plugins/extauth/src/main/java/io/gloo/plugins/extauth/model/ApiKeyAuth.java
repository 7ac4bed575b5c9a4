package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code apiKeyAuth{headerName, k8sSecretApikeyStorage{labelSelector, apiKeySecretRefs[]},
 * headersFromMetadataEntry{<header>: {name, required}}}}; Gloo's deprecated top-level {@code labelSelector} and
 * {@code apiKeySecretRefs} are accepted as well.
 */
public class ApiKeyAuth extends GlooObject {

  public static final String DEFAULT_HEADER = "api-key";

  public String headerName;
  public K8sSecretStorage k8sSecretApikeyStorage;
  public Map<String, String> labelSelector;
  public List<ResourceRef> apiKeySecretRefs;
  public Map<String, MetadataEntry> headersFromMetadataEntry;

  /** {@code {labelSelector, apiKeySecretRefs[]}}. */
  public static class K8sSecretStorage extends GlooObject {
    public Map<String, String> labelSelector;
    public List<ResourceRef> apiKeySecretRefs;
  }

  /** {@code {name, required}}: the Secret data field forwarded in the header, and whether it must be present. */
  public static class MetadataEntry extends GlooObject {
    public String name;
    public Boolean required;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      requireText(name, Paths.join(path, "name"), out);
    }
  }

  public String header() {
    return headerName == null || headerName.isEmpty() ? DEFAULT_HEADER : headerName;
  }

  /** Label selector from either place (the storage block wins), never null. */
  public Map<String, String> selector() {
    Map<String, String> out = new LinkedHashMap<>();
    if (labelSelector != null) {
      out.putAll(labelSelector);
    }
    if (k8sSecretApikeyStorage != null && k8sSecretApikeyStorage.labelSelector != null) {
      out.putAll(k8sSecretApikeyStorage.labelSelector);
    }
    return out;
  }

  /** Secret references from either place, never null. */
  public List<ResourceRef> refs() {
    List<ResourceRef> out = new ArrayList<>();
    if (apiKeySecretRefs != null) {
      out.addAll(apiKeySecretRefs);
    }
    if (k8sSecretApikeyStorage != null && k8sSecretApikeyStorage.apiKeySecretRefs != null) {
      out.addAll(k8sSecretApikeyStorage.apiKeySecretRefs);
    }
    return out;
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if (headerName != null && !headerName.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      out.add(new Violation(Paths.join(path, "headerName"), "is not a valid HTTP header name"));
    }
    String storagePath = Paths.join(path, "k8sSecretApikeyStorage");
    if (k8sSecretApikeyStorage != null) {
      k8sSecretApikeyStorage.validate(storagePath, out);
    }
    if (selector().isEmpty() && refs().isEmpty()) {
      out.add(new Violation(storagePath, "one of labelSelector or apiKeySecretRefs is required"));
    }
    List<ResourceRef> refs = refs();
    for (int i = 0; i < refs.size(); i++) {
      ResourceRef.require(refs.get(i), Paths.join(storagePath, "apiKeySecretRefs[" + i + "]"), out);
    }
    if (headersFromMetadataEntry != null) {
      headersFromMetadataEntry.forEach((header, entry) -> {
        String entryPath = Paths.join(path, "headersFromMetadataEntry." + header);
        if (!header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
          out.add(new Violation(entryPath, "is not a valid HTTP header name"));
        }
        if (entry == null) {
          out.add(new Violation(entryPath, "must not be null"));
        } else {
          entry.validate(entryPath, out);
        }
      });
    }
  }
}
