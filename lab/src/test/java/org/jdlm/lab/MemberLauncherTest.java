package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.jdlm.member.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the supervisor starts a member: as a lab member, with the run directory's operator secret file. */
class MemberLauncherTest {
  @TempDir Path tmp;

  @Test
  void aLabMemberGetsLabAndTheSecretFilesPathButNeverTheSecret() throws Exception {
    RunDir dir = new RunDir(tmp.resolve("run"));
    Path secretFile = dir.ensureOperatorSecret();
    String secret = Files.readString(secretFile).strip();
    NodeSpec n1 = new NodeSpec("n1", new HostPort("127.0.0.1", 25520), 25521);
    MemberLauncher launcher = new MemberLauncher(Path.of("/usr/bin/java"), "cp.jar", List.of("-Xmx64m"), List.of());
    List<String> command = launcher.command(dir, new RunDir.Layout("127.0.0.1", List.of(n1)), n1);
    assertThat(command).contains("--lab", "-Djdlm.member.operator-secret-file=" + secretFile);
    assertThat(String.join(" ", command)).doesNotContain(secret);
    assertThat(command.indexOf("-Djdlm.member.operator-secret-file=" + secretFile)).isLessThan(command.indexOf("org.jdlm.cli.Main"));
  }

  @Test
  void theRunDirectorysSecretIsRandomOwnerOnlyAndKeptAcrossCalls() throws Exception {
    RunDir a = new RunDir(tmp.resolve("a"));
    Path file = a.ensureOperatorSecret();
    String secret = Files.readString(file).strip();
    assertThat(secret).matches("[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(a.ensureOperatorSecret()).isEqualTo(file);
    assertThat(Files.readString(file).strip()).isEqualTo(secret);
    assertThat(Files.readString(new RunDir(tmp.resolve("b")).ensureOperatorSecret()).strip()).isNotEqualTo(secret);
  }
}
