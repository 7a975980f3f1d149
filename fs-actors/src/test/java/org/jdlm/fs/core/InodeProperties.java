package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.fs.core.InodeCore.Context;
import org.jdlm.fs.core.InodeRules.IopenOutcome;
import org.jdlm.kernel.core.GfpMask;

/**
 * Random lookups, puts (in and out of reclaim), unlinks, shrinker scans and iopen answers on one
 * inode number; the inode is re-read from disk whenever the cache lost it. Invariants after every
 * step, and at the end the rule the 2024 upstream bug broke (fs-cycles §2.4): once the inode is
 * unlinked, every deferred delete is eventually performed — after the delete work has run and the
 * last user let go, the inode is deallocated, never just dropped and forgotten.
 */
class InodeProperties {

  enum Kind { IGET, IPUT, IPUT_RECLAIM, UNLINK, SHRINK, IOPEN, STEPS_DONE, DIRTY, WRITEBACK, DELETE_WORK }

  record Op(Kind kind, int a) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 9)).as(Op::new)
        .list().ofMinSize(10).ofMaxSize(80);
  }

  static final long INO = 0x805b;

  static final class Driver {
    final InodeLru lru = new InodeLru(128);
    InodeCore inode;
    int held;
    boolean unlinked;
    boolean deallocated;
    boolean deleteWorkPending;
    /** Case C happened: another node still uses the inode and will delete it. */
    boolean otherNodeDeletes;
    final List<String> trace = new ArrayList<>();

    void apply(List<InodeEffect> effects) {
      lru.applyAll(effects);
      for (InodeEffect e : effects) {
        trace.add("  " + e);
        if (e instanceof InodeEffect.QueueDeleteWork) {
          deleteWorkPending = true;
        } else if (e instanceof InodeEffect.Deallocate) {
          deallocated = true;
        } else if (e instanceof InodeEffect.Freed) {
          assertThat(lru.contains(INO)).as("freed inode left on the LRU").isFalse();
        }
      }
      inode.checkInvariants();
    }

    /** iget, reading the inode from disk if the cache does not have it. */
    boolean iget() {
      return iget(true);
    }

    boolean iget(boolean iopenHeld) {
      if (inode == null || inode.state() == InodeCore.State.FREED) {
        if (deallocated) {
          return false; // gone from disk
        }
        inode = new InodeCore(INO, 5000);
        apply(inode.instantiated(unlinked ? 0 : 1, iopenHeld));
        held++;
        return true;
      }
      List<InodeEffect> effects = inode.iget();
      apply(effects);
      if (effects.isEmpty()) {
        held++;
        return true;
      }
      return false; // must wait (NEW / FREEING)
    }

    void step(Op op) {
      trace.add(op.toString());
      switch (op.kind()) {
        case IGET:
          iget(op.a() % 3 != 0); // sometimes the iopen glock could not be taken
          break;
        case IPUT:
        case IPUT_RECLAIM:
          if (held > 0) {
            held--;
            apply(inode.iput(op.kind() == Kind.IPUT ? Context.NORMAL : Context.RECLAIM));
          }
          break;
        case UNLINK:
          // Locally while in use, or remotely: learned on revalidation while cached.
          if (inode != null && (inode.state() == InodeCore.State.IN_USE || inode.state() == InodeCore.State.CACHED)
              && !unlinked) {
            unlinked = true;
            apply(inode.setNlink(0));
          }
          break;
        case SHRINK:
          for (long ino : lru.scan(10, GfpMask.KERNEL, i -> inode.candidate()).toEvict()) {
            apply(inode.evictFromLru(Context.RECLAIM));
          }
          break;
        case IOPEN:
          if (inode != null && inode.stage() == InodeCore.EvictStage.AWAIT_TRY) {
            apply(inode.iopen(op.a() < 5 ? IopenOutcome.TRY_GRANTED : IopenOutcome.TRY_FAILED));
          } else if (inode != null && inode.stage() == InodeCore.EvictStage.AWAIT_WAIT) {
            IopenOutcome o = op.a() < 6 ? IopenOutcome.WAIT_GRANTED
                : op.a() < 8 ? IopenOutcome.WAIT_TIMED_OUT : IopenOutcome.INODE_DEMOTE_REQUESTED;
            otherNodeDeletes |= o != IopenOutcome.WAIT_GRANTED;
            apply(inode.iopen(o));
          }
          break;
        case STEPS_DONE:
          if (inode != null && (inode.stage() == InodeCore.EvictStage.CACHE_DROP
              || inode.stage() == InodeCore.EvictStage.DEALLOCATE)) {
            apply(inode.evictStepsDone());
          }
          break;
        case DIRTY:
          if (inode != null && inode.state() == InodeCore.State.IN_USE) {
            apply(inode.markDirty());
          }
          break;
        case WRITEBACK:
          if (inode != null && inode.state() != InodeCore.State.FREED) {
            apply(inode.writtenBack());
          }
          break;
        case DELETE_WORK:
          runDeleteWork();
          break;
        default:
          throw new AssertionError(op);
      }
    }

    /** delete_work_func: not a reclaimer; looks the inode up and puts it. */
    void runDeleteWork() {
      if (!deleteWorkPending || (inode != null && inode.state() == InodeCore.State.FREEING)) {
        return;
      }
      deleteWorkPending = false;
      if (inode != null && inode.state() != InodeCore.State.FREED) {
        inode.deleteWorkRan();
      }
      if (iget()) {
        held--;
        apply(inode.iput(Context.NORMAL));
      }
    }

    /** Let everything finish: users let go, evictions complete (iopen granted), delete work runs. */
    void drain() {
      trace.add("-- drain");
      for (int round = 0; round < 50; round++) {
        while (held > 0) {
          held--;
          apply(inode.iput(Context.NORMAL));
        }
        if (inode != null && inode.stage() == InodeCore.EvictStage.AWAIT_TRY) {
          apply(inode.iopen(IopenOutcome.TRY_GRANTED));
        } else if (inode != null && inode.stage() == InodeCore.EvictStage.AWAIT_WAIT) {
          apply(inode.iopen(IopenOutcome.WAIT_GRANTED));
        } else if (inode != null && (inode.stage() == InodeCore.EvictStage.CACHE_DROP
            || inode.stage() == InodeCore.EvictStage.DEALLOCATE)) {
          apply(inode.evictStepsDone());
        } else if (deleteWorkPending) {
          runDeleteWork();
        } else if (unlinked && !deallocated && !otherNodeDeletes && inode != null
            && inode.state() == InodeCore.State.CACHED) {
          // Later the flusher cleans it and memory pressure makes the shrinker evict it.
          apply(inode.writtenBack());
          for (long ino : lru.scan(10, GfpMask.KERNEL, i -> inode.candidate()).toEvict()) {
            apply(inode.evictFromLru(Context.RECLAIM));
          }
          if (inode.state() == InodeCore.State.CACHED) {
            // Referenced: second chance; the next pass evicts it.
            continue;
          }
        } else {
          return;
        }
      }
      throw new AssertionError("inode did not settle");
    }
  }

  @Property(tries = 500)
  void everyDeferredDeleteIsEventuallyPerformed(@ForAll("ops") List<Op> ops) {
    Driver d = new Driver();
    try {
      ops.forEach(d::step);
      d.drain();
      if (d.unlinked && !d.otherNodeDeletes) {
        assertThat(d.deallocated).as("unlinked inode never deallocated (a deferred delete was lost)").isTrue();
      }
      if (!d.unlinked) {
        assertThat(d.deallocated).as("a linked inode was deallocated").isFalse();
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + String.join("\n", d.trace), e);
    }
  }
}
