package org.jdlm.lab;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.jdlm.fencing.store.StoreServer;
import org.jdlm.member.CliError;
import org.jdlm.member.HostPort;

/**
 * The files of one lab cluster's run directory (formats documented in {@code docs/cluster.md}):
 *
 * <pre>
 *   cluster.properties   written once by `cluster up`: node names, host, each node's two ports
 *   nN.pid               "PID START_EPOCH_MS" of the node's current process; rewritten by restart,
 *                        deleted by down. The start time guards against a recycled pid.
 *   nN.log               the node's stdout+stderr, appended across restarts, each start headed by a
 *                        "=== dlm supervisor:" line; kept by down, truncated by the next up
 *   nN/                  the node's own directory (`dlm node --dir`)
 *   store.pid            "PID START_EPOCH_MS" of the shared store's process (`dlm store serve`);
 *                        deleted by down, after every member's
 *   store.log            the store process's stdout+stderr (its first line is the JDBC URL)
 *   store/               the store's H2 database (jdlm.mv.db); kept by down, so a later up on
 *                        this directory serves the same fencing ledger and journal
 * </pre>
 */
public final class RunDir {
  /** Name of the layout file. */
  public static final String LAYOUT = "cluster.properties";

  /** Name of the store's pid and log files ({@code store.pid}, {@code store.log}) and of its database directory. */
  public static final String STORE = "store";
  /** The file that hands an external store's password to the members (see {@link #writeStorePassword}). */
  public static final String STORE_PASSWORD = "store-password";

  /** The run directory's operator secret file (see {@link #ensureOperatorSecret}). */
  public static final String OPERATOR_SECRET = "operator-secret";

  /** The pid file's content. */
  public record PidRecord(long pid, long startMillis) {}

  /**
   * What {@code cluster up} decided: the host, in order each member's ports, and the port of the
   * shared store (empty for a cluster without a store, e.g. one written by an older supervisor).
   */
  public record Layout(String host, List<NodeSpec> nodes, OptionalInt storePort, Optional<ExternalStore> external) {
    public Layout {
      nodes = List.copyOf(nodes);
      if (storePort.isPresent() && external.isPresent()) {
        throw new IllegalArgumentException("a cluster has the lab's store or an external one, not both");
      }
    }

    /** A layout with the lab's own H2 store on {@code storePort} (or none). */
    public Layout(String host, List<NodeSpec> nodes, OptionalInt storePort) {
      this(host, nodes, storePort, Optional.empty());
    }

    /** A layout without a shared store. */
    public Layout(String host, List<NodeSpec> nodes) {
      this(host, nodes, OptionalInt.empty());
    }

    /** The JDBC URL members use to reach the store, if the cluster has one. */
    public Optional<String> storeUrl() {
      if (external.isPresent()) {
        return Optional.of(external.get().url());
      }
      return storePort.isPresent() ? Optional.of(StoreServer.jdbcUrl(storePort.getAsInt())) : Optional.empty();
    }

    /** Every member is a seed, in name order: the first bootstraps, any live one admits a restarted member. */
    public List<HostPort> seeds() {
      return nodes.stream().map(NodeSpec::cluster).toList();
    }

    /** The node with this name. */
    public Optional<NodeSpec> node(String name) {
      return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public List<String> names() {
      return nodes.stream().map(NodeSpec::name).toList();
    }
  }

  private final Path dir;

  public RunDir(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path path() {
    return dir;
  }

  public Path logFile(String node) {
    return dir.resolve(node + ".log");
  }

  /** The store's database directory. */
  public Path storeDir() {
    return dir.resolve(STORE);
  }

  public Path nodeDir(String node) {
    return dir.resolve(node);
  }

  private Path pidFile(String node) {
    return dir.resolve(node + ".pid");
  }

  /** The layout, or empty when no cluster was brought up here. */
  public Optional<Layout> readLayout() {
    Path file = dir.resolve(LAYOUT);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
      String host = required(p, "host");
      List<NodeSpec> nodes = new ArrayList<>();
      for (String name : required(p, "nodes").split(",")) {
        name = name.trim();
        int port = Integer.parseInt(required(p, name + ".port"));
        int control = Integer.parseInt(required(p, name + ".control-port"));
        // A member may have its own loopback address (chaos partitions); absent, the cluster's host.
        String own = p.getProperty(name + ".host");
        nodes.add(new NodeSpec(name, new HostPort(own == null || own.isBlank() ? host : own.trim(), port), control));
      }
      String store = p.getProperty("store.port");
      OptionalInt storePort = store == null || store.isBlank() ? OptionalInt.empty()
          : OptionalInt.of(Integer.parseInt(store.trim()));
      String externalUrl = p.getProperty("store.external-url");
      Optional<ExternalStore> external = externalUrl == null || externalUrl.isBlank() ? Optional.empty()
          : Optional.of(new ExternalStore(externalUrl.trim(), required(p, "store.user"), Optional.empty()));
      return Optional.of(new Layout(host, nodes, storePort, external));
    } catch (IOException | IllegalArgumentException e) {
      throw new CliError("run directory " + dir + ": " + LAYOUT + " is unreadable (" + e.getMessage()
          + "); remove the directory to start afresh");
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v.trim();
  }

  /** Writes the layout (creating the directory). */
  public void writeLayout(Layout layout) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("host", layout.host());
    p.setProperty("nodes", String.join(",", layout.names()));
    for (NodeSpec n : layout.nodes()) {
      p.setProperty(n.name() + ".port", Integer.toString(n.cluster().port()));
      p.setProperty(n.name() + ".control-port", Integer.toString(n.controlPort()));
      if (!n.cluster().host().equals(layout.host())) {
        p.setProperty(n.name() + ".host", n.cluster().host());
      }
    }
    layout.storePort().ifPresent(port -> p.setProperty("store.port", Integer.toString(port)));
    layout.storeUrl().ifPresent(url -> p.setProperty("store.url", url)); // for humans; readers use the port
    layout.external().ifPresent(e -> { // the password is in STORE_PASSWORD, never here
      p.setProperty("store.external-url", e.url());
      p.setProperty("store.user", e.user());
    });
    try (Writer out = Files.newBufferedWriter(dir.resolve(LAYOUT), StandardCharsets.UTF_8)) {
      p.store(out, "jdlm lab cluster, written by `dlm cluster up`; see docs/cluster.md");
    }
  }

  /** The recorded process of a node, if any. */
  public Optional<PidRecord> readPid(String node) {
    Path file = pidFile(node);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      String[] words = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
      return Optional.of(new PidRecord(Long.parseLong(words[0]), Long.parseLong(words[1])));
    } catch (IOException | RuntimeException e) {
      throw new CliError("run directory " + dir + ": " + file.getFileName() + " is unreadable; expected 'PID START_MS'");
    }
  }

  public void writePid(String node, PidRecord record) throws IOException {
    Path tmp = dir.resolve(node + ".pid.tmp");
    Files.writeString(tmp, record.pid() + " " + record.startMillis() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, pidFile(node), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public void deletePid(String node) throws IOException {
    Files.deleteIfExists(pidFile(node));
  }

  /**
   * Names of the processes that have a pid file: members (also those a corrupt or missing layout no
   * longer lists) and {@link #STORE}.
   */
  public List<String> pidFileNodes() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pid")) {
      files.forEach(f -> names.add(f.getFileName().toString().replaceFirst("\\.pid$", "")));
    }
    names.sort(null);
    return names;
  }

  /** The file holding the lab's operator secret ({@code jdlm.member.operator-secret-file} of its members). */
  public Path operatorSecretFile() {
    return dir.resolve(OPERATOR_SECRET);
  }

  /** The external store's password file of this run directory. */
  public Path storePasswordFile() {
    return dir.resolve(STORE_PASSWORD);
  }

  /**
   * Writes the external store's password, readable by the owner only, for the members this run
   * directory starts (also after a restart from another shell): they get the file's path in
   * {@code jdlm.store.password-file}, never the password on their command line.
   */
  public void writeStorePassword(String password) throws IOException {
    Files.createDirectories(dir);
    Path file = storePasswordFile();
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
  }

  /**
   * Creates the run directory's operator secret (32 random bytes, hex, readable by the owner only)
   * unless it exists, so that `dlm fence` and the tests can fence a lab member; returns its file.
   * A lab member never gets the secret on its command line, only the file's path.
   */
  public Path ensureOperatorSecret() throws IOException {
    Path file = operatorSecretFile();
    if (Files.isRegularFile(file)) {
      return file;
    }
    Files.createDirectories(dir);
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    Path tmp = dir.resolve(OPERATOR_SECRET + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp); // not a POSIX file system: the directory's own permissions protect it
    }
    Files.writeString(tmp, java.util.HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  /** Forgets the cluster: deletes the layout and every pid file; logs and node directories stay. */
  public void forget() throws IOException {
    for (String node : pidFileNodes()) {
      deletePid(node);
    }
    Files.deleteIfExists(dir.resolve(LAYOUT));
    Files.deleteIfExists(storePasswordFile()); // a password outlives no cluster
  }

  /** Starts every listed node's log (and the store's, if listed) afresh (a new `cluster up`). */
  public void truncateLogs(List<String> nodes) throws IOException {
    for (String n : nodes) {
      Files.write(logFile(n), new byte[0]);
    }
  }

  /** Appends a supervisor line to a node's log, so the log tells when and how each incarnation started. */
  public void appendLog(String node, String line) throws IOException {
    Files.write(logFile(node), Arrays.asList("=== dlm supervisor: " + line), StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }
}
