package org.jdlm.cli;

/** Entry point of the one executable (placeholder until the subcommands land). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("dlm");
  }
}
