package org.jdlm.fencing.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One fence of one member incarnation, as the fence actor's task sees it: get working memory, run
 * the configured agents in order, write the result into the fencing authority, answer everyone
 * who asked. Decisions only; the {@code FenceTask} actor carries out the {@link Effect}s and feeds
 * back what happened.
 *
 * <pre>
 *                 start          granted           agent ok (last needed)       recorded
 *   Requested ──────────► AwaitingMemory ──────► Running(a, i) ─────────────► Recording ──────► Confirmed
 *       │                   │      ▲               │  │  ▲                       ▲
 *       │                   │      │ retry due     │  └──┘ agent failed, next    │
 *       │      memory refused│      │               │       agent to try          │
 *       │                   ▼      │               ▼                             │
 *       │                 Retrying(a) ◄──────── every agent failed               │
 *       └──────────── (any state but Recording/Confirmed) ── fence_ack ──────────┘
 * </pre>
 *
 * <p>Why it looks like this:
 * <ul>
 *   <li><b>Memory first</b> (fs-cycles §4.2, §5.2): a real agent forks, pages in an interpreter and
 *       talks to a BMC or a LUN, and all of that allocates on the survivor. The allocation may park
 *       behind reclaim; that wait is the edge through which cycle (b) closes, so it is a state of
 *       its own and visible in status, not hidden inside "running".</li>
 *   <li><b>Agents in order, {@link Require#ANY} by default</b>: like Pacemaker's fencing levels and
 *       dlm_controld's fallback, the first agent that confirms fences the node; {@link Require#ALL}
 *       asks every agent to confirm (storage <em>and</em> power).</li>
 *   <li><b>Never give up</b>: when every agent failed the task backs off (bounded, doubling) and
 *       tries again, reporting each failure. Recovery stays blocked meanwhile, which is the
 *       faithful behaviour (semantics §6.1: if fencing never succeeds the lockspace stays frozen); the
 *       operator's way out is {@link #manualAck}, as {@code dlm_tool fence_ack}.</li>
 *   <li><b>Recording is a state</b>: an agent's success means nothing to the cluster until the
 *       authority has persisted it and advanced the generation; only then may recovery move locks.
 *       If the authority is unreachable (its singleton is moving), the record is retried.</li>
 * </ul>
 *
 * <p>Results are tagged with the attempt and agent index they belong to; a result for anything but
 * the current step (a slow agent answering after a manual ack, a timer of an old attempt) is
 * dropped and reported as {@link Dropped}, never applied (style rule 10).
 *
 * <p>Mutable, owned by exactly one actor, like {@code RecoveryRun}.
 */
public final class FenceOperation {

  /** Whether one confirming agent suffices or every configured agent must confirm. */
  public enum Require { ANY, ALL }

  /** Static settings of an operation, from {@code jdlm.fencing}. */
  public record Settings(List<String> agents, Require require, Duration minBackoff, Duration maxBackoff,
                         Duration recordRetry) {
    public Settings {
      agents = List.copyOf(agents);
      Objects.requireNonNull(require, "require");
      if (agents.isEmpty()) {
        throw new IllegalArgumentException("jdlm.fencing.agents is empty: at least one fence agent is needed");
      }
      if (Set.copyOf(agents).size() != agents.size()) {
        throw new IllegalArgumentException("jdlm.fencing.agents lists an agent twice: " + agents);
      }
      if (minBackoff.isNegative() || minBackoff.isZero()) {
        throw new IllegalArgumentException("retry min-backoff must be positive, got " + minBackoff);
      }
      if (maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException(
            "retry max-backoff " + maxBackoff + " is below min-backoff " + minBackoff);
      }
      if (recordRetry.isNegative() || recordRetry.isZero()) {
        throw new IllegalArgumentException("authority record-retry must be positive, got " + recordRetry);
      }
    }
  }

  /** The incarnation to fence and what agents need to reach it. */
  public record Target(String node, long incarnation, String address, long detectedAtMillis) {
    public Target {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(address, "address");
      if (node.isBlank()) {
        throw new IllegalArgumentException("node name is blank");
      }
    }

    @Override
    public String toString() {
      return node + "#" + incarnation;
    }
  }

  /** The states of the diagram; {@link #transitionTo} names the legal targets. */
  public sealed interface State {
    /** The states this one may move to. */
    Set<Class<? extends State>> legalTargets();

    /** Returns {@code next} if the move is legal; a bug otherwise. */
    default State transitionTo(State next) {
      if (!legalTargets().contains(next.getClass())) {
        throw new IllegalStateException("illegal fence transition " + this + " -> " + next);
      }
      return next;
    }
  }

  /** Asked for; nothing started. */
  public record Requested() implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of(AwaitingMemory.class, Recording.class);
    }
  }

  /** Attempt {@code attempt} waits for its working memory. */
  public record AwaitingMemory(int attempt) implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of(Running.class, Retrying.class, Recording.class);
    }
  }

  /** Attempt {@code attempt} runs agent number {@code agentIndex}. */
  public record Running(int attempt, int agentIndex, String agent) implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of(Running.class, Recording.class, Retrying.class);
    }
  }

  /** Attempt {@code failedAttempt} failed; the next starts after {@code delay}. */
  public record Retrying(int failedAttempt, Duration delay) implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of(AwaitingMemory.class, Recording.class);
    }
  }

  /** Fenced by {@code agent}; the authority is being told. */
  public record Recording(String agent) implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of(Confirmed.class);
    }
  }

  /** The authority recorded the fence; tokens from {@code generation} on outrank the victim's. */
  public record Confirmed(long generation, String agent) implements State {
    public Set<Class<? extends State>> legalTargets() {
      return Set.of();
    }
  }

  /** Effects for the task actor, in the order to carry them out. */
  public sealed interface Effect {}

  /** Allocate the working memory for attempt {@code attempt} from the node's memory manager. */
  public record AllocateMemory(int attempt) implements Effect {}

  /** Return the granted working memory of {@code attempt}. */
  public record FreeMemory(int attempt) implements Effect {}

  /** Withdraw the still-parked allocation of {@code attempt}. */
  public record WithdrawMemory(int attempt) implements Effect {}

  /** Run agent {@code agent} (position {@code agentIndex}) for attempt {@code attempt}. */
  public record RunAgent(int attempt, int agentIndex, String agent) implements Effect {}

  /** Ask the fencing authority to record the fence by {@code agent} (it answers the generation). */
  public record RecordFenced(String agent) implements Effect {}

  /** Start the attempt after {@code failedAttempt} once {@code delay} has passed (then call {@link #retryDue}). */
  public record ScheduleRetry(int failedAttempt, Duration delay) implements Effect {}

  /** Ask the authority again after {@code delay}. */
  public record ScheduleRecordRetry(Duration delay) implements Effect {}

  /** Tell the requesters and the log that {@code step} of attempt {@code attempt} failed. */
  public record ReportFailure(int attempt, String step, String reason) implements Effect {}

  /** Answer every requester: fenced, recorded at {@code generation}. */
  public record ConfirmAll(long generation, String agent) implements Effect {}

  /** A result that does not belong to the current step was ignored; log it. */
  public record Dropped(String what) implements Effect {}

  /** The state after an input and the effects to carry out. */
  public record Outcome(State state, List<Effect> effects) {
    public Outcome {
      effects = List.copyOf(effects);
    }
  }

  private final Target target;
  private final Settings settings;
  private State state = new Requested();
  private int failures;

  public FenceOperation(Target target, Settings settings) {
    this.target = Objects.requireNonNull(target, "target");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Target target() {
    return target;
  }

  public State state() {
    return state;
  }

  /** Failures reported so far (agents, memory and authority), for status. */
  public int failures() {
    return failures;
  }

  public boolean isConfirmed() {
    return state instanceof Confirmed;
  }

  /** Begins attempt 1: memory first. */
  public Outcome start() {
    move(new AwaitingMemory(1));
    return out(new AllocateMemory(1));
  }

  /** The memory manager granted attempt {@code attempt}'s working memory: run the first agent. */
  public Outcome memoryGranted(int attempt) {
    if (!(state instanceof AwaitingMemory a) || a.attempt() != attempt) {
      // A grant that arrives after a manual ack or for an old attempt must be returned at once,
      // or the node leaks the pages for good.
      return out(new FreeMemory(attempt), new Dropped("memory grant of attempt " + attempt + " in " + state));
    }
    String agent = settings.agents().get(0);
    move(new Running(attempt, 0, agent));
    return out(new RunAgent(attempt, 0, agent));
  }

  /** The memory manager refused (e.g. an ATOMIC mask, or too many waiters): the attempt failed. */
  public Outcome memoryRefused(int attempt, String reason) {
    if (!(state instanceof AwaitingMemory a) || a.attempt() != attempt) {
      return out(new Dropped("memory refusal of attempt " + attempt + " in " + state));
    }
    List<Effect> effects = new ArrayList<>();
    effects.add(report(attempt, "memory", reason));
    effects.addAll(retryAfter(attempt));
    return new Outcome(state, effects);
  }

  /** Agent {@code agentIndex} of {@code attempt} confirmed the fence. */
  public Outcome agentSucceeded(int attempt, int agentIndex) {
    if (!current(attempt, agentIndex)) {
      return out(new Dropped("success of agent #" + agentIndex + " attempt " + attempt + " in " + state));
    }
    String agent = settings.agents().get(agentIndex);
    if (settings.require() == Require.ALL && agentIndex + 1 < settings.agents().size()) {
      String next = settings.agents().get(agentIndex + 1);
      move(new Running(attempt, agentIndex + 1, next));
      return out(new RunAgent(attempt, agentIndex + 1, next));
    }
    String by = settings.require() == Require.ALL ? String.join("+", settings.agents()) : agent;
    move(new Recording(by));
    return out(new FreeMemory(attempt), new RecordFenced(by));
  }

  /** Agent {@code agentIndex} of {@code attempt} failed (error, non-zero exit, timeout). */
  public Outcome agentFailed(int attempt, int agentIndex, String reason) {
    if (!current(attempt, agentIndex)) {
      return out(new Dropped("failure of agent #" + agentIndex + " attempt " + attempt + " in " + state
          + ": " + reason));
    }
    List<Effect> effects = new ArrayList<>();
    effects.add(report(attempt, settings.agents().get(agentIndex), reason));
    boolean another = settings.require() == Require.ANY && agentIndex + 1 < settings.agents().size();
    if (another) {
      String next = settings.agents().get(agentIndex + 1);
      move(new Running(attempt, agentIndex + 1, next));
      effects.add(new RunAgent(attempt, agentIndex + 1, next));
      return new Outcome(state, effects);
    }
    effects.add(new FreeMemory(attempt));
    effects.addAll(retryAfter(attempt));
    return new Outcome(state, effects);
  }

  /** The retry timer of the attempt after {@code failedAttempt} fired. */
  public Outcome retryDue(int failedAttempt) {
    if (!(state instanceof Retrying r) || r.failedAttempt() != failedAttempt) {
      return out(new Dropped("retry timer after attempt " + failedAttempt + " in " + state));
    }
    int next = failedAttempt + 1;
    move(new AwaitingMemory(next));
    return out(new AllocateMemory(next));
  }

  /** The authority persisted the fence and answered {@code generation}. */
  public Outcome recorded(long generation) {
    if (!(state instanceof Recording r)) {
      return out(new Dropped("authority answer " + generation + " in " + state));
    }
    move(new Confirmed(generation, r.agent()));
    return out(new ConfirmAll(generation, r.agent()));
  }

  /** The authority did not answer (timeout, singleton moving): ask again later. */
  public Outcome recordFailed(String reason) {
    if (!(state instanceof Recording)) {
      return out(new Dropped("authority failure in " + state + ": " + reason));
    }
    return out(report(0, "authority", reason), new ScheduleRecordRetry(settings.recordRetry()));
  }

  /** The record-retry timer fired. */
  public Outcome recordRetryDue() {
    if (!(state instanceof Recording r)) {
      return out(new Dropped("record retry in " + state));
    }
    return out(new RecordFenced(r.agent()));
  }

  /**
   * {@code dlm_tool fence_ack}: the operator declares the victim fenced (they pulled the plug).
   * Whatever was in flight is abandoned, its memory returned, and the fence is recorded as done by
   * {@code manual:<operator>}. Once recording has begun the ack changes nothing.
   */
  public Outcome manualAck(String operator) {
    if (state instanceof Recording || state instanceof Confirmed) {
      return out(new Dropped("fence_ack by " + operator + " in " + state));
    }
    List<Effect> effects = new ArrayList<>();
    if (state instanceof AwaitingMemory a) {
      effects.add(new WithdrawMemory(a.attempt()));
    } else if (state instanceof Running r) {
      effects.add(new FreeMemory(r.attempt()));
    }
    String agent = "manual:" + operator;
    move(new Recording(agent));
    effects.add(new RecordFenced(agent));
    return new Outcome(state, effects);
  }

  /**
   * Delay before the attempt after {@code failedAttempt} (1-based): min-backoff doubled per failed
   * attempt, never above max-backoff, so a long outage is polled at a bounded rate.
   */
  public Duration backoff(int failedAttempt) {
    Duration d = settings.minBackoff();
    for (int i = 1; i < failedAttempt && d.compareTo(settings.maxBackoff()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
  }

  /** Invariants (style rule 14), checked by tests after every input. */
  public void checkInvariants() {
    int n = settings.agents().size();
    if (state instanceof Running r && (r.agentIndex() < 0 || r.agentIndex() >= n
        || !settings.agents().get(r.agentIndex()).equals(r.agent()) || r.attempt() < 1)) {
      throw new IllegalStateException("running step out of range: " + state + " agents " + settings.agents());
    }
    if (state instanceof AwaitingMemory a && a.attempt() < 1) {
      throw new IllegalStateException("attempt numbers start at 1: " + state);
    }
    if (state instanceof Retrying r && r.delay().compareTo(settings.maxBackoff()) > 0) {
      throw new IllegalStateException("backoff above max-backoff: " + state);
    }
  }

  private boolean current(int attempt, int agentIndex) {
    return state instanceof Running r && r.attempt() == attempt && r.agentIndex() == agentIndex;
  }

  private List<Effect> retryAfter(int failedAttempt) {
    Duration delay = backoff(failedAttempt);
    move(new Retrying(failedAttempt, delay));
    return List.of(new ScheduleRetry(failedAttempt, delay));
  }

  private ReportFailure report(int attempt, String step, String reason) {
    failures++;
    return new ReportFailure(attempt, step, reason);
  }

  private void move(State next) {
    state = state.transitionTo(next);
  }

  private Outcome out(Effect... effects) {
    return new Outcome(state, List.of(effects));
  }

  @Override
  public String toString() {
    return "FenceOperation{" + target + " " + state + ", failures=" + failures + "}";
  }
}
