package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.Immutable;
import io.gloo.plugins.ratelimit.config.Descriptor;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.config.RateLimitValue;
import io.gloo.plugins.ratelimit.config.SetDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every rule domain the service knows, compiled from the server-side part ({@code descriptors},
 * {@code setDescriptors}) of RateLimitConfigs: one domain per config, named {@code <namespace>.<name>}, plus the
 * {@code custom} domain of inline actions. Immutable; the service swaps whole rule sets atomically.
 *
 * <p>How a request reaches a domain: Envoy sends its filter's domain; a descriptor produced by a RateLimitConfig's
 * actions starts with the entry {@value #CONFIG_KEY}={@code <namespace>.<name>}, which selects that config's domain
 * and is stripped before matching. A descriptor produced by set-style actions then has the entry
 * {@value #SET_KEY}={@value #SET_VALUE} (Gloo's own marker, {@code generic_key=solo.setDescriptor.uniqueValue}, is
 * understood too): it is matched against set-style rules only, every other descriptor against the tree only.
 *
 * <p>The selector's value is signed ({@link ConfigGrants}): a descriptor whose selector the control plane did not
 * sign reaches no domain at all, so an option in one namespace cannot consume another namespace's counters by
 * typing the selector into its own actions.
 */
@Immutable
public final class RuleSet {

  /** First entry of a descriptor that comes from a RateLimitConfig: names the config's domain. */
  public static final String CONFIG_KEY = "gloo.config";
  /** Entry that marks a set-style descriptor. */
  public static final String SET_KEY = "gloo.set";
  public static final String SET_VALUE = "true";
  static final String GLOO_SET_KEY = "generic_key";
  static final String GLOO_SET_VALUE = "solo.setDescriptor.uniqueValue";
  /** The domain of Gloo's inline (OSS) rate-limit actions. */
  public static final String CUSTOM_DOMAIN = "custom";

  private static final RuleSet EMPTY = new RuleSet(Map.of(), null);

  @SuppressWarnings("Immutable") // an unmodifiable copy
  private final Map<String, DomainRules> domains;
  /** Checks config selectors; null: no selector is trusted (every config domain is unreachable). */
  @SuppressWarnings("Immutable") // thread-safe; its only state is a cache of verified values
  private final ConfigGrants grants;

  private RuleSet(Map<String, DomainRules> domains, ConfigGrants grants) {
    this.domains = Map.copyOf(domains);
    this.grants = grants;
  }

  public static RuleSet empty() {
    return EMPTY;
  }

  /** Compiles {@code raw} specs by domain name. Specs must be valid (see the kinds' validation); nulls are skipped. */
  public static RuleSet compile(Map<String, RateLimitConfigSpec.Raw> byDomain) {
    return compile(byDomain, null);
  }

  /**
   * Compiles {@code raw} specs by domain name; {@code grants} checks the signed config selectors of requests (null:
   * none is accepted).
   */
  public static RuleSet compile(Map<String, RateLimitConfigSpec.Raw> byDomain, ConfigGrants grants) {
    Map<String, DomainRules> domains = new HashMap<>();
    new TreeMap<>(byDomain).forEach((domain, raw) -> {
      if (raw != null) {
        domains.put(domain, compile(domain, raw));
      }
    });
    return new RuleSet(domains, grants);
  }

  static DomainRules compile(String domain, RateLimitConfigSpec.Raw raw) {
    DomainRules.Level root = tree(domain, "", raw.descriptors);
    List<DomainRules.SetRule> sets = new ArrayList<>();
    if (raw.setDescriptors != null) {
      for (int i = 0; i < raw.setDescriptors.size(); i++) {
        SetDescriptor s = raw.setDescriptors.get(i);
        if (s == null) {
          continue;
        }
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        StringBuilder id = new StringBuilder("set[").append(i).append("]{");
        if (s.simpleDescriptors != null) {
          for (SetDescriptor.SimpleDescriptor d : s.simpleDescriptors) {
            keys.add(d.key);
            values.add(d.value);
            id.append(keys.size() > 1 ? "," : "").append(d.key).append(d.value == null ? "" : "=" + d.value);
          }
        }
        id.append('}');
        Rule rule = rule(domain, id.toString(), s.rateLimit, s.unlimited, s.shadowMode, null, s.alwaysApply);
        if (rule != null) {
          sets.add(new DomainRules.SetRule(rule, keys, values));
        }
      }
    }
    return new DomainRules(root, sets);
  }

  private static DomainRules.Level tree(String domain, String parent, List<Descriptor> descriptors) {
    if (descriptors == null) {
      return DomainRules.Level.EMPTY;
    }
    Map<String, DomainRules.Node> byKey = new HashMap<>();
    Map<String, Map<String, DomainRules.Node>> byKeyValue = new HashMap<>();
    for (Descriptor d : descriptors) {
      if (d == null || d.key == null) {
        continue;
      }
      String step = d.value == null ? d.key : d.key + "=" + d.value;
      String path = parent.isEmpty() ? step : parent + "/" + step;
      Rule rule = rule(domain, path, d.rateLimit, d.unlimited, d.shadowMode, d.weight, d.alwaysApply);
      DomainRules.Node node = new DomainRules.Node(rule, tree(domain, path, d.descriptors));
      if (d.value == null) {
        byKey.put(d.key, node);
      } else {
        byKeyValue.computeIfAbsent(d.key, k -> new HashMap<>()).put(d.value, node);
      }
    }
    return new DomainRules.Level(byKey, byKeyValue);
  }

  private static Rule rule(String domain, String id, RateLimitValue limit, Boolean unlimited, Boolean shadow,
      Integer weight, Boolean alwaysApply) {
    int w = weight == null ? 0 : weight;
    boolean always = Boolean.TRUE.equals(alwaysApply);
    boolean inShadow = Boolean.TRUE.equals(shadow);
    if (Boolean.TRUE.equals(unlimited)) {
      return new Rule(domain, id, null, 0, true, inShadow, w, always);
    }
    if (limit == null || limit.parsedUnit() == null || limit.requestsPerUnit == null) {
      return null;
    }
    return new Rule(domain, id, limit.parsedUnit(), limit.requestsPerUnit, false, inShadow, w, always);
  }

  /** The config domain a signed selector value grants, or null if it is not signed by the control plane. */
  String grantedDomain(String selector) {
    return grants == null ? null : grants.domainOf(selector);
  }

  /** The rules of a domain, or null. */
  DomainRules domain(String name) {
    return domains.get(name);
  }

  public java.util.Set<String> domainNames() {
    return domains.keySet();
  }
}
