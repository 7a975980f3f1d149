package org.jdlm.recovery;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A member's jdlm name ({@code n1}, {@code n2} …) and how it travels with the membership: as the
 * cluster role {@code "node:<name>"}, so that every member maps an address to a name from the
 * gossip alone, without another protocol.
 */
public final class NodeName {
  /** Prefix of the role that carries the name ("dc-" is reserved by Pekko, so not that). */
  public static final String ROLE_PREFIX = "node:";

  // Names become file names in the run directory and words in scenario files: keep them plain.
  private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");

  private NodeName() {}

  /** Null when {@code name} is acceptable, else the reason it is not. */
  public static String problem(String name) {
    if (!VALID.matcher(name).matches()) {
      return "node name '" + name + "' is invalid (a letter, then up to 31 letters, digits, '-' or '_')";
    }
    return null;
  }

  /** The cluster role that carries {@code name}. */
  public static String role(String name) {
    return ROLE_PREFIX + name;
  }

  /** The name carried by a member's roles, if it is a jdlm member. */
  public static Optional<String> fromRoles(Collection<String> roles) {
    return roles.stream().filter(r -> r.startsWith(ROLE_PREFIX)).map(r -> r.substring(ROLE_PREFIX.length())).findFirst();
  }
}
