package org.jdlm.dlm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.ManualClock;
import org.junit.jupiter.api.Test;

/** Who asks for a lock, as the detector names it (docs/detector.md §4.1.1). */
class LockRequesterTest {

  @Test
  void anExplicitNameWinsNestsAndIsRestored() {
    String outer = LockRequester.as("app A", 3, () -> {
      assertThat(LockRequester.current()).isEqualTo(new LockRequester.Identity("app_A", 3, false));
      String inner = LockRequester.as("B", () -> LockRequester.current().task());
      assertThat(inner).isEqualTo("B");
      return LockRequester.current().task();
    });
    assertThat(outer).isEqualTo("app_A");
    assertThat(LockRequester.current().kernelTask()).isFalse();
    assertThat(LockRequester.current().task()).endsWith("#" + Thread.currentThread().getId());
  }

  @Test
  void aThreadIsNamedByItsNameAndId() throws Exception {
    CompletableFuture<String> name = new CompletableFuture<>();
    Thread t = new Thread(() -> name.complete(LockRequester.current().task()), "worker 7");
    t.start();
    assertThat(name.get(5, TimeUnit.SECONDS)).isEqualTo("worker_7#" + t.getId());
  }

  @Test
  void aKernelTaskIsNamedAsTheKernelNamesIt() throws Exception {
    Kernel kernel = Kernel.start("n1", Kernel.Settings.from(ConfigFactory.defaultReference().resolve()),
        new ManualClock(), false);
    try {
      CompletableFuture<LockRequester.Identity> who = new CompletableFuture<>();
      var task = kernel.spawn("writer", Set.of(), () -> who.complete(LockRequester.current()));
      LockRequester.Identity id = who.get(5, TimeUnit.SECONDS);
      assertThat(id.task()).isEqualTo("writer#" + task.id());
      assertThat(id.kernelTask()).isTrue();
    } finally {
      kernel.close();
    }
  }

  @Test
  void aBlankNameIsRefused() {
    assertThatThrownBy(() -> LockRequester.as(" ", () -> 1)).hasMessageContaining("must not be blank");
  }
}
