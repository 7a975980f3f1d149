package org.jdlm.fs.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdlm.dlm.core.LockMode;

/** Drives one {@link GlockCore} with a manual clock and numbered holders; keeps every effect. */
final class GlockHarness {
  final GlockCore gl;
  long now;
  long nextHolder = 1;
  final List<GlockEffect> all = new ArrayList<>();

  GlockHarness(GlockName name) {
    this(name, GlockSettings.defaults());
  }

  GlockHarness(GlockName name, GlockSettings settings) {
    gl = GlockCore.create(name, settings, 0);
  }

  static GlockHarness inode(long number) {
    return new GlockHarness(GlockName.of(GlockType.INODE, number));
  }

  List<GlockEffect> record(List<GlockEffect> effects) {
    all.addAll(effects);
    return effects;
  }

  /** Enqueue for pid = holder number. */
  HolderId holderId() {
    return new HolderId(nextHolder++);
  }

  List<GlockEffect> enqueue(HolderId id, GlockState state, HolderFlag... flags) {
    EnumSet<HolderFlag> f = EnumSet.noneOf(HolderFlag.class);
    f.addAll(List.of(flags));
    return record(gl.enqueue(id, state, f, 1000 + id.value(), "task" + id.value(), "caller", now));
  }

  List<GlockEffect> dequeue(HolderId id) {
    return record(gl.dequeue(id, now));
  }

  List<GlockEffect> reply(LockMode granted) {
    return record(gl.dlmReply(new DlmReply.Granted(granted), now));
  }

  List<GlockEffect> reply(DlmReply r) {
    return record(gl.dlmReply(r, now));
  }

  List<GlockEffect> work() {
    return record(gl.runWork(now));
  }

  List<GlockEffect> glops() {
    return record(gl.glopsDone(now));
  }

  List<GlockEffect> bast(LockMode mode) {
    return record(gl.bast(mode, now));
  }

  List<GlockEffect> put() {
    return record(gl.put(now));
  }

  List<GlockEffect> get() {
    return record(gl.get());
  }

  List<GlockEffect> reclaim() {
    return record(gl.reclaim(now));
  }

  /**
   * Plays the shell: answers glops at once, the DLM with a grant of what was asked, and runs work
   * whenever it is due at the current time, until nothing is left to do now.
   */
  List<GlockEffect> settle(List<GlockEffect> effects) {
    List<GlockEffect> out = new ArrayList<>(effects);
    List<GlockEffect> todo = new ArrayList<>(effects);
    for (int guard = 0; guard < 100; guard++) {
      List<GlockEffect> next = new ArrayList<>();
      for (GlockEffect e : todo) {
        if (e instanceof GlockEffect.RunGlops) {
          next.addAll(glops());
        } else if (e instanceof GlockEffect.RequestDlm) {
          next.addAll(reply(((GlockEffect.RequestDlm) e).mode()));
        } else if (e instanceof GlockEffect.ConvertDlm) {
          next.addAll(reply(((GlockEffect.ConvertDlm) e).mode()));
        } else if (e instanceof GlockEffect.UnlockDlm) {
          next.addAll(reply(DlmReply.UnlockDone.INSTANCE));
        }
      }
      if (next.isEmpty() && gl.workDueAt() != null && gl.workDueAt() <= now) {
        next.addAll(work());
      }
      if (next.isEmpty()) {
        return out;
      }
      out.addAll(next);
      todo = next;
    }
    throw new AssertionError("glock did not settle: " + out);
  }

  /** A holder granted in {@code state} on a fresh glock (the DLM grants at once). */
  HolderId hold(GlockState state, HolderFlag... flags) {
    HolderId id = holderId();
    settle(enqueue(id, state, flags));
    if (!gl.holders().stream().anyMatch(h -> h.id().equals(id) && h.granted())) {
      throw new AssertionError(id + " not granted: " + gl.holders());
    }
    return id;
  }

  static Set<Class<?>> kinds(List<GlockEffect> effects) {
    Set<Class<?>> k = new java.util.LinkedHashSet<>();
    effects.forEach(e -> k.add(e.getClass()));
    return k;
  }

  long dlmTraffic(List<GlockEffect> effects) {
    return effects.stream().filter(e -> e instanceof GlockEffect.RequestDlm || e instanceof GlockEffect.ConvertDlm
        || e instanceof GlockEffect.UnlockDlm).count();
  }
}
