package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.kernel.core.WorkqueueState.OnQueue;
import org.junit.jupiter.api.Test;

class WorkqueueStateTest {

  @Test
  void queueDecisionsInOrder() {
    WorkqueueState<String> wq = new WorkqueueState<>("glock", 2, 3, false);
    assertThat(wq.queue("a")).isEqualTo(OnQueue.CREATE_WORKER);
    assertThat(wq.queue("b")).isEqualTo(OnQueue.CREATE_WORKER);
    assertThat(wq.queue("c")).as("max-active reached").isEqualTo(OnQueue.QUEUED);
    assertThat(wq.queue("d")).as("max-pending reached").isEqualTo(OnQueue.REJECT);
    wq.workerCreated();
    assertThat(wq.workerNext()).isEqualTo("a");
    assertThat(wq.workerNext()).isEqualTo("b");
    assertThat(wq.workerNext()).isEqualTo("c");
    assertThat(wq.workerNext()).as("nothing left: the worker goes idle").isNull();
    assertThat(wq.idle()).isEqualTo(1);
    assertThat(wq.queue("e")).isEqualTo(OnQueue.WAKE_IDLE);
    assertThat(wq.idleWorkerNext()).isEqualTo("e");
    assertThat(wq.idle()).isZero();
  }

  @Test
  void failedCreationSummonsTheRescuerOnlyOnAMemReclaimQueue() {
    WorkqueueState<String> plain = new WorkqueueState<>("delete", 1, 8, false);
    assertThat(plain.queue("x")).isEqualTo(OnQueue.CREATE_WORKER);
    assertThat(plain.creationFailed()).isFalse();
    assertThat(plain.creationRetryDue()).as("work waits for a retry after memory is freed").isTrue();
    plain.beginCreationRetry();
    assertThat(plain.creationRetryDue()).isFalse();

    WorkqueueState<String> reclaim = new WorkqueueState<>("glock", 1, 8, true);
    assertThat(reclaim.queue("x")).isEqualTo(OnQueue.CREATE_WORKER);
    assertThat(reclaim.queue("y")).isEqualTo(OnQueue.QUEUED);
    assertThat(reclaim.creationFailed()).isTrue();
    assertThat(reclaim.rescuerBusy()).isTrue();
    assertThat(reclaim.rescuerNext()).isEqualTo("x");
    assertThat(reclaim.rescuerNext()).isEqualTo("y");
    assertThat(reclaim.rescuerNext()).isNull();
    assertThat(reclaim.rescuerBusy()).isFalse();
    assertThat(reclaim.rescued()).isEqualTo(2);
  }

  @Test
  void misuseIsABug() {
    WorkqueueState<String> wq = new WorkqueueState<>("q", 1, 1, false);
    assertThatThrownBy(wq::workerCreated).hasMessageContaining("no worker creation in flight");
    assertThatThrownBy(wq::rescuerNext).hasMessageContaining("rescuer not summoned");
    assertThatThrownBy(wq::idleWorkerNext).hasMessageContaining("no idle worker");
    assertThatThrownBy(() -> new WorkqueueState<>("q", 0, 1, false)).hasMessageContaining("max-active must be positive, got 0");
  }

  /** Random interleavings of queueing, creation outcomes, workers and the rescuer keep the invariants. */
  @Property(tries = 300)
  void invariantsHoldAfterEveryStep(@ForAll("ops") List<Integer> ops, @ForAll boolean rescuer) {
    WorkqueueState<Integer> wq = new WorkqueueState<>("q", 3, 5, rescuer);
    int creating = 0;
    int busy = 0;
    int queued = 0;
    int ran = 0;
    int item = 0;
    for (int op : ops) {
      switch (op) {
        case 0 -> {
          OnQueue d = wq.queue(item++);
          if (d == OnQueue.CREATE_WORKER) {
            creating++;
          }
          if (d != OnQueue.REJECT) {
            queued++;
          }
        }
        case 1 -> {
          if (creating > 0) {
            creating--;
            wq.workerCreated();
            busy++;
          }
        }
        case 2 -> {
          if (creating > 0) {
            creating--;
            wq.creationFailed();
          }
        }
        case 3 -> {
          if (busy > 0) {
            if (wq.workerNext() == null) {
              busy--;
            } else {
              ran++;
            }
          }
        }
        case 4 -> {
          if (wq.idle() > 0 && wq.idleWorkerNext() != null) {
            busy++;
            ran++;
          }
        }
        case 5 -> {
          if (wq.rescuerBusy() && wq.rescuerNext() != null) {
            ran++;
          }
        }
        default -> {
          if (wq.creationRetryDue()) {
            wq.beginCreationRetry();
            creating++;
          }
        }
      }
      wq.checkInvariants();
      assertThat(wq.pending() + ran).as("no work lost or duplicated").isEqualTo(queued);
      assertThat(wq.idle() + busy).isEqualTo(wq.workers());
    }
  }

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 6).list().ofMaxSize(80);
  }

  @Test
  void aFreeDuringAFailingCreationRetriesAtOnceInsteadOfWaitingForTheNextFree() {
    WorkqueueState<String> wq = new WorkqueueState<>("q", 1, 8, false);
    assertThat(wq.queue("w1")).isEqualTo(WorkqueueState.OnQueue.CREATE_WORKER);
    assertThat(wq.memoryFreed()).as("a creation is in flight: no second one").isFalse();
    wq.creationFailed();                     // its allocation was refused just before the free

    assertThat(wq.retryAfterFailedCreation()).as("the free is not lost").isTrue();
    wq.beginCreationRetry();
    wq.creationFailed();
    assertThat(wq.retryAfterFailedCreation()).as("remembered once, not forever").isFalse();
  }

  @Test
  void aFailedCreationWithoutAFreeMeanwhileWaitsForTheNextFree() {
    WorkqueueState<String> wq = new WorkqueueState<>("q", 1, 8, false);
    wq.queue("w1");
    wq.creationFailed();

    assertThat(wq.retryAfterFailedCreation()).isFalse();
    assertThat(wq.memoryFreed()).as("the next free retries").isTrue();
  }
}
