package org.jdlm.member;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One member's view of the cluster, as served by {@code GET /status} on its control endpoint and
 * read back by the lab supervisor. Plain data with no Pekko type, so the supervisor and tests parse
 * it without an ActorSystem.
 *
 * <p>Text format (documented in {@code docs/cluster.md}), one record per line, a kind word followed
 * by {@code key=value} fields with no spaces in values; readers ignore unknown keys so fields can be
 * added:
 *
 * <pre>
 * self name=n1 address=pekko://jdlm@127.0.0.1:40001 uid=-4711 status=Up leader=pekko://jdlm@127.0.0.1:40001
 * member name=n1 address=pekko://jdlm@127.0.0.1:40001 uid=-4711 status=Up reachability=reachable
 * member name=n2 address=pekko://jdlm@127.0.0.1:40003 uid=815 status=Up reachability=unreachable
 * removed name=n3 address=pekko://jdlm@127.0.0.1:40005 uid=42 previous=Down at=1718000000000
 * </pre>
 *
 * {@code uid} is the Pekko {@code UniqueAddress} uid: a new one for every incarnation of a member,
 * which is how a restarted node is told apart from the one that died on the same address.
 */
public record MembershipView(Self self, List<Member> members, List<Removed> removed) {

  public MembershipView {
    members = List.copyOf(members);
    removed = List.copyOf(removed);
  }

  /** The answering member itself: its name, incarnation, own membership status and the leader it sees. */
  public record Self(String name, String address, long uid, String status, String leader) {}

  /** A current member: its status ({@code Joining, WeaklyUp, Up, Leaving, Exiting, Down}) and reachability. */
  public record Member(String name, String address, long uid, String status, boolean reachable) {}

  /** A member this node saw removed, with the status it had before and the wall-clock time (epoch ms). */
  public record Removed(String name, String address, long uid, String previous, long atMillis) {}

  /** The current member with this name (a name has at most one incarnation in the membership). */
  public Optional<Member> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** The most recent removal of a member with this name. */
  public Optional<Removed> lastRemoved(String name) {
    return removed.stream().filter(r -> r.name().equals(name)).max(Comparator.comparingLong(Removed::atMillis));
  }

  /** Whether the incarnation {@code uid} of {@code name} has been removed in this view. */
  public boolean wasRemoved(String name, long uid) {
    return removed.stream().anyMatch(r -> r.name().equals(name) && r.uid() == uid);
  }

  /** The text served by {@code GET /status}. */
  public String render() {
    StringBuilder text = new StringBuilder();
    text.append("self name=").append(self.name()).append(" address=").append(self.address()).append(" uid=")
        .append(self.uid()).append(" status=").append(self.status()).append(" leader=").append(self.leader())
        .append('\n');
    for (Member m : members) {
      text.append("member name=").append(m.name()).append(" address=").append(m.address()).append(" uid=")
          .append(m.uid()).append(" status=").append(m.status()).append(" reachability=")
          .append(m.reachable() ? "reachable" : "unreachable").append('\n');
    }
    for (Removed r : removed) {
      text.append("removed name=").append(r.name()).append(" address=").append(r.address()).append(" uid=")
          .append(r.uid()).append(" previous=").append(r.previous()).append(" at=").append(r.atMillis())
          .append('\n');
    }
    return text.toString();
  }

  /** Parses {@link #render()}'s format; a malformed line is an {@link IllegalArgumentException} naming it. */
  public static MembershipView parse(String text) {
    Self self = null;
    List<Member> members = new ArrayList<>();
    List<Removed> removed = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] words = line.split("\\s+");
      Map<String, String> f = fields(words, i + 1);
      switch (words[0]) {
        case "self" -> self = new Self(req(f, "name", i), req(f, "address", i), uid(f, i), req(f, "status", i),
            f.getOrDefault("leader", "-"));
        case "member" -> members.add(new Member(req(f, "name", i), req(f, "address", i), uid(f, i),
            req(f, "status", i), !"unreachable".equals(req(f, "reachability", i))));
        case "removed" -> removed.add(new Removed(req(f, "name", i), req(f, "address", i), uid(f, i),
            f.getOrDefault("previous", "?"), number(f, "at", i)));
        default -> { } // a kind added later: older readers skip it
      }
    }
    if (self == null) {
      throw new IllegalArgumentException("status text has no 'self' line");
    }
    return new MembershipView(self, members, removed);
  }

  private static Map<String, String> fields(String[] words, int lineNo) {
    Map<String, String> f = new LinkedHashMap<>();
    for (int w = 1; w < words.length; w++) {
      int eq = words[w].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("status line " + lineNo + ": '" + words[w] + "' is not key=value");
      }
      f.put(words[w].substring(0, eq), words[w].substring(eq + 1));
    }
    return f;
  }

  private static String req(Map<String, String> f, String key, int i) {
    String v = f.get(key);
    if (v == null) {
      throw new IllegalArgumentException("status line " + (i + 1) + ": missing " + key + "=");
    }
    return v;
  }

  private static long uid(Map<String, String> f, int i) {
    return number(f, "uid", i);
  }

  private static long number(Map<String, String> f, String key, int i) {
    String v = req(f, key, i);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("status line " + (i + 1) + ": " + key + "='" + v + "' is not a number");
    }
  }
}
