package org.jdlm.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the supervisor starts a member JVM: which java, which classpath, which JVM flags.
 *
 * @param javaBinary the java launcher, by default the one running this process
 * @param classpath the member's classpath, by default this process's ({@code java.class.path}): the
 *     shaded jar when run through {@code bin/dlm}, the test classpath (which includes cli) in tests
 * @param jvmOptions flags before the main class, e.g. heap size (jdlm.cli.lab.member-jvm-options)
 * @param storeJvmOptions flags of the shared store's JVM (jdlm.cli.lab.store.jvm-options)
 */
public record MemberLauncher(Path javaBinary, String classpath, List<String> jvmOptions, List<String> storeJvmOptions) {

  public MemberLauncher {
    jvmOptions = List.copyOf(jvmOptions);
    storeJvmOptions = List.copyOf(storeJvmOptions);
  }

  /** The same java and classpath as this process, with the configured member and store flags. */
  public static MemberLauncher current(LabSettings settings) {
    return new MemberLauncher(Path.of(System.getProperty("java.home"), "bin", "java"),
        System.getProperty("java.class.path"), settings.memberJvmOptions(), settings.storeJvmOptions());
  }

  /** The full command line of {@code dlm node} for one member of a run directory. */
  List<String> command(RunDir dir, RunDir.Layout layout, NodeSpec node) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary.toString());
    cmd.addAll(jvmOptions);
    // Marks the process as belonging to this run directory, for `ps` and for humans.
    cmd.add("-Djdlm.lab.run-dir=" + dir.path());
    // The path, never the secret: a command line is visible to every user of the machine (ps).
    cmd.add("-Djdlm.member.operator-secret-file=" + dir.operatorSecretFile());
    layout.external().ifPresent(store -> {
      cmd.add("-Djdlm.store.user=" + store.user());
      // The path, never the password, as for the operator secret.
      if (java.nio.file.Files.isRegularFile(dir.storePasswordFile())) {
        cmd.add("-Djdlm.store.password-file=" + dir.storePasswordFile());
      }
    });
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("org.jdlm.cli.Main");
    cmd.add("node");
    // The lab drives its members through the scenario agent, the disk writer, the bench driver
    // and the store probe, which a member serves only when told so.
    cmd.add("--lab");
    cmd.add("--name");
    cmd.add(node.name());
    cmd.add("--host");
    cmd.add(node.cluster().host());
    cmd.add("--port");
    cmd.add(Integer.toString(node.cluster().port()));
    cmd.add("--control-port");
    cmd.add(Integer.toString(node.controlPort()));
    // The control endpoint listens where the supervisor looks for it (NodeSpec.control()): the
    // member's own address, which differs from 127.0.0.1 when each member has its own.
    cmd.add("--control-host");
    cmd.add(node.cluster().host());
    cmd.add("--seeds");
    cmd.add(String.join(",", layout.seeds().stream().map(Object::toString).toList()));
    cmd.add("--dir");
    cmd.add(dir.nodeDir(node.name()).toString());
    layout.storeUrl().ifPresent(url -> {
      cmd.add("--store");
      cmd.add(url);
    });
    // The power fence agent finds a member's pid in the run directory's pid files.
    cmd.add("--pid-dir");
    cmd.add(dir.path().toString());
    return cmd;
  }

  /**
   * The command line of the lab's shared store ({@code dlm store serve}). It carries the same run
   * directory mark as the members, so `ps` and the tests' reaper see it as part of the run.
   */
  List<String> storeCommand(RunDir dir, int port) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary.toString());
    cmd.addAll(storeJvmOptions);
    cmd.add("-Djdlm.lab.run-dir=" + dir.path());
    // Before the (long) class path, so tools reading a truncated command line still tell it apart.
    cmd.add("-Djdlm.lab.store=true");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("org.jdlm.cli.Main");
    cmd.add("store");
    cmd.add("serve");
    cmd.add("--dir");
    cmd.add(dir.storeDir().toString());
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    return cmd;
  }
}
