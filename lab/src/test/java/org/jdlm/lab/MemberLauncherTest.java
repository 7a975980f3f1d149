package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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

  @Test
  void onAnExternalStoreAMemberGetsTheUrlUserAndPasswordFilesPathButNeverThePassword() throws Exception {
    RunDir dir = new RunDir(tmp.resolve("run"));
    dir.ensureOperatorSecret();
    String password = "pg-secret-never-on-argv";
    dir.writeStorePassword(password);
    NodeSpec n1 = new NodeSpec("n1", new HostPort("127.0.0.1", 25520), 25521);
    ExternalStore store = new ExternalStore("jdbc:postgresql://db:5432/jdlm", "jdlm", Optional.empty());
    RunDir.Layout layout = new RunDir.Layout("127.0.0.1", List.of(n1), OptionalInt.empty(), Optional.of(store));
    dir.writeLayout(layout);
    assertThat(dir.readLayout()).contains(layout);

    MemberLauncher launcher = new MemberLauncher(Path.of("/usr/bin/java"), "cp.jar", List.of(), List.of());
    List<String> command = launcher.command(dir, dir.readLayout().orElseThrow(), n1);
    assertThat(command).containsSubsequence("--store", "jdbc:postgresql://db:5432/jdlm")
        .contains("-Djdlm.store.user=jdlm", "-Djdlm.store.password-file=" + dir.storePasswordFile());
    assertThat(String.join(" ", command)).doesNotContain(password);
    assertThat(Files.readString(dir.storePasswordFile()).strip()).isEqualTo(password);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.storePasswordFile()))).isEqualTo("rw-------");
    assertThat(Files.readString(dir.path().resolve(RunDir.LAYOUT))).doesNotContain(password);

    dir.forget();
    assertThat(dir.storePasswordFile()).doesNotExist();
  }
}
