package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code basicAuth{realm, apr{users{<name>: {salt, hashedPassword}}}}}: APR1-MD5 htpasswd users. */
public class BasicAuth extends GlooObject {

  public String realm;
  public Apr apr;

  /** {@code {users{<name>: {salt, hashedPassword}}}}. */
  public static class Apr extends GlooObject {
    public Map<String, User> users;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (users == null || users.isEmpty()) {
        out.add(new Violation(Paths.join(path, "users"), "at least one user is required"));
        return;
      }
      users.forEach((name, user) -> {
        String userPath = Paths.join(path, "users." + name);
        if (user == null) {
          out.add(new Violation(userPath, "must not be null"));
        } else {
          user.validate(userPath, out);
        }
      });
    }
  }

  /** {@code {salt, hashedPassword}}: the two last fields of an {@code $apr1$salt$hash} htpasswd entry. */
  public static class User extends GlooObject {
    public String salt;
    public String hashedPassword;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (salt == null || salt.isEmpty() || salt.length() > 8 || salt.contains("$")) {
        out.add(new Violation(Paths.join(path, "salt"), "is required: 1 to 8 characters, no '$'"));
      }
      if (hashedPassword == null || !hashedPassword.matches("[./0-9A-Za-z]{22}")) {
        out.add(new Violation(Paths.join(path, "hashedPassword"),
            "must be the 22-character APR1-MD5 hash (the part after $apr1$SALT$)"));
      }
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out, Set.of("encryption", "userList"));
    for (String later : List.of("encryption", "userList")) {
      if (unknownFields().containsKey(later)) {
        out.add(new Violation(Paths.join(path, later), "not supported by this implementation (use apr.users)"));
      }
    }
    if (apr == null) {
      out.add(new Violation(Paths.join(path, "apr"), "is required"));
    } else {
      apr.validate(Paths.join(path, "apr"), out);
    }
  }
}
