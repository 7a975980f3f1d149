package org.jdlm.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a random but self-checking failure scenario for {@code dlm chaos}: one cluster, many
 * rounds, and in each round one or two members (never the majority) holding EX locks are killed or
 * frozen while other members wait behind them and a bystander holds a lock elsewhere. Every round
 * asserts what recovery must guarantee whatever the random choices were (issue 4): each waiter is
 * granted after recovery, the bystander's lock is untouched, the lockspace runs again; then the
 * round cleans up and restarts its victims as new incarnations. What varies is what recovery has
 * to rebuild: the resource's master is the victim (remastering) or a survivor (purge only), the
 * directory node, frozen or killed, one or two failures at once.
 *
 * <p>Pure text generation (same seed, same file), so a failing run is reproduced with its seed;
 * the text goes through {@link ScenarioParser} like any file.
 */
public final class ChaosScenario {

  /** Cluster size bounds: 3 keeps a majority with one victim; two victims need at least 5. */
  public static final int MIN_NODES = 3;
  public static final int MAX_NODES = 9;

  private ChaosScenario() {}

  /**
   * @param nodes      cluster size, {@value #MIN_NODES}..{@value #MAX_NODES}
   * @param rounds     fault rounds, at least 1
   * @param seed       the random seed (printed in the file's first comment)
   * @param allowPause whether victims may be frozen with SIGSTOP (jvm mode only) as well as killed
   */
  public static String generate(int nodes, int rounds, long seed, boolean allowPause) {
    if (nodes < MIN_NODES || nodes > MAX_NODES) {
      throw new IllegalArgumentException("chaos needs " + MIN_NODES + " to " + MAX_NODES + " nodes, not " + nodes);
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("chaos needs at least 1 round, not " + rounds);
    }
    Random random = new Random(seed);
    StringBuilder out = new StringBuilder();
    out.append("# dlm chaos: seed ").append(seed).append(", ").append(nodes).append(" nodes, ").append(rounds)
        .append(" rounds").append(allowPause ? ", kill and pause" : ", kill").append('\n');
    out.append("nodes ").append(nodes).append('\n');
    out.append("timeout 60s\n");
    for (int r = 1; r <= rounds; r++) {
      round(out, random, nodes, r, allowPause);
    }
    return out.toString();
  }

  private static void round(StringBuilder out, Random random, int nodes, int r, boolean allowPause) {
    List<Integer> order = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      order.add(n);
    }
    java.util.Collections.shuffle(order, random);
    int victims = nodes >= 5 && random.nextInt(4) == 0 ? 2 : 1; // a majority always survives
    List<Integer> dead = order.subList(0, victims);
    List<Integer> alive = order.subList(victims, nodes);
    out.append("\n# round ").append(r).append(": victims ").append(names(dead)).append('\n');
    List<String> cleanup = new ArrayList<>();
    List<String> waiters = new ArrayList<>();
    for (int i = 0; i < victims; i++) {
      int victim = dead.get(i);
      String res = "R" + r + "." + i;
      // Who masters the resource: the victim (so recovery remasters it) or a survivor (purge only).
      boolean victimMasters = random.nextBoolean();
      int anchorNode = victimMasters ? victim : pick(alive, random);
      String anchor = "A" + r + "_" + i;
      line(out, "n" + anchorNode + " lock " + anchor + " " + res + " NL");
      line(out, "await " + anchor + " cast OK");
      if (!victimMasters) {
        cleanup.add("n" + anchorNode + " unlock " + anchor);
        cleanup.add("await " + anchor + " cast EUNLOCK");
      }
      String holder = "H" + r + "_" + i;
      line(out, "n" + victim + " lock " + holder + " " + res + " EX");
      line(out, "await " + holder + " cast OK");
      String waiter = "W" + r + "_" + i;
      int waiterNode = pick(alive, random);
      line(out, "n" + waiterNode + " lock " + waiter + " " + res + " EX");
      waiters.add(waiter);
      cleanup.add("n" + waiterNode + " unlock " + waiter);
      cleanup.add("await " + waiter + " cast EUNLOCK");
    }
    String bystander = "B" + r;
    int bystanderNode = pick(alive, random);
    line(out, "n" + bystanderNode + " lock " + bystander + " S" + r + " PR");
    line(out, "await " + bystander + " cast OK");
    cleanup.add("n" + bystanderNode + " unlock " + bystander);
    cleanup.add("await " + bystander + " cast EUNLOCK");
    line(out, "await quiet");
    for (String w : waiters) {
      line(out, "expect " + w + " waiting EX");
    }
    for (int victim : dead) {
      line(out, (allowPause && random.nextInt(3) == 0 ? "pause n" : "kill n") + victim);
    }
    line(out, "await recovered");
    for (String w : waiters) {
      line(out, "await " + w + " cast OK");
      line(out, "expect " + w + " granted EX");
    }
    line(out, "expect " + bystander + " granted PR");
    line(out, "expect lockspace running");
    cleanup.forEach(c -> line(out, c));
    for (int victim : dead) {
      line(out, "restart n" + victim);
    }
  }

  private static int pick(List<Integer> from, Random random) {
    return from.get(random.nextInt(from.size()));
  }

  private static String names(List<Integer> nodes) {
    return String.join(" ", nodes.stream().map(n -> "n" + n).toList());
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }
}
