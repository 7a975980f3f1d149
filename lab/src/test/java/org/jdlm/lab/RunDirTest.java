package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdlm.member.CliError;
import org.jdlm.member.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirTest {
  @TempDir
  Path tmp;

  @Test
  void layoutAndPidFilesRoundTripAndForgetKeepsLogs() throws Exception {
    RunDir dir = new RunDir(tmp.resolve("run"));
    RunDir.Layout layout = new RunDir.Layout("127.0.0.1", List.of(
        new NodeSpec("n1", new HostPort("127.0.0.1", 40001), 40002),
        new NodeSpec("n2", new HostPort("127.0.0.1", 40003), 40004)));
    dir.writeLayout(layout);
    dir.writePid("n2", new RunDir.PidRecord(1234, 5678));
    dir.appendLog("n2", "starting");

    assertThat(dir.readLayout()).contains(layout);
    assertThat(layout.seeds()).extracting(HostPort::port).containsExactly(40001, 40003);
    assertThat(dir.readPid("n2")).contains(new RunDir.PidRecord(1234, 5678));
    assertThat(dir.readPid("n1")).isEmpty();
    assertThat(dir.pidFileNodes()).containsExactly("n2");

    dir.forget();
    assertThat(dir.readLayout()).isEmpty();
    assertThat(dir.pidFileNodes()).isEmpty();
    assertThat(Files.readString(dir.logFile("n2"))).isEqualTo("=== dlm supervisor: starting\n");
  }

  @Test
  void membersWithTheirOwnAddressKeepItAcrossTheLayoutFile() throws Exception {
    RunDir dir = new RunDir(tmp.resolve("own"));
    RunDir.Layout layout = new RunDir.Layout("127.0.0.1", List.of(
        new NodeSpec("n1", new HostPort("127.9.8.2", 40001), 40002),
        new NodeSpec("n2", new HostPort("127.0.0.1", 40003), 40004)));
    dir.writeLayout(layout);
    assertThat(dir.readLayout()).contains(layout);
    assertThat(dir.readLayout().orElseThrow().node("n1").orElseThrow().control()).isEqualTo(new HostPort("127.9.8.2", 40002));
  }

  @Test
  void corruptFilesAreOneLineErrorsNamingTheFile() throws Exception {
    RunDir dir = new RunDir(tmp);
    Files.writeString(tmp.resolve(RunDir.LAYOUT), "host=127.0.0.1\nnodes=n1\n");
    assertThatThrownBy(dir::readLayout).isInstanceOf(CliError.class).hasMessageContaining("cluster.properties is unreadable (missing n1.port)");
    Files.writeString(tmp.resolve("n1.pid"), "garbage");
    assertThatThrownBy(() -> dir.readPid("n1")).isInstanceOf(CliError.class).hasMessageContaining("n1.pid is unreadable");
  }

  @Test
  void aRecordedPidIsOnlyAliveIfItsStartTimeMatches() {
    ProcessHandle self = ProcessHandle.current();
    long start = Processes.startMillis(self);
    assertThat(Processes.state(new RunDir.PidRecord(self.pid(), start))).isEqualTo(ProcessState.RUNNING);
    // Same pid, different start: the pid was recycled for another process.
    assertThat(Processes.state(new RunDir.PidRecord(self.pid(), start - 3_600_000))).isEqualTo(ProcessState.DEAD);
  }
}
