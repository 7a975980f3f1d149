package org.jdlm.member;


/** A TCP endpoint as written on the command line, {@code HOST:PORT}. */
public record HostPort(String host, int port) {

  public HostPort {
    if (host.isBlank()) {
      throw new IllegalArgumentException("blank host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Parses {@code HOST:PORT}, naming {@code what} (e.g. "seed") in the error. */
  public static HostPort parse(String text, String what) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new CliError(what + " '" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon).trim();
    String portText = text.substring(colon + 1).trim();
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new CliError(what + " '" + text + "': port '" + portText + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new CliError(what + " '" + text + "': port " + port + " is out of range (1..65535)");
    }
    return new HostPort(host, port);
  }

  /** The Pekko address of a jdlm member listening here. */
  public String pekkoAddress() {
    return "pekko://" + NodeSettings.SYSTEM_NAME + "@" + host + ":" + port;
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
