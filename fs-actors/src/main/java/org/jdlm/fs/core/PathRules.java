package org.jdlm.fs.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How a path string becomes components: absolute only ({@code /a/b}), {@code /} separates,
 * repeated and trailing slashes are ignored, {@code .} and {@code ..} are refused (the model keeps
 * no parent pointers), each name at most {@link DirectoryBlock#MAX_NAME_BYTES} bytes of UTF-8.
 * Errors name the path and the reason, as {@link PathError}.
 */
public final class PathRules {
  private PathRules() {}

  /** A path that cannot be used, and why (an {@link Errno#EINVAL}). */
  public static final class PathError extends Exception {
    private static final long serialVersionUID = 1L;

    public PathError(String path, String reason) {
      super(path + ": " + reason);
    }
  }

  /** The components of {@code path}; empty for the root. */
  public static List<String> components(String path) throws PathError {
    if (path == null || path.isEmpty()) {
      throw new PathError(String.valueOf(path), "empty path");
    }
    if (path.charAt(0) != '/') {
      throw new PathError(path, "not absolute (paths start with /)");
    }
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.equals(".") || part.equals("..")) {
        throw new PathError(path, "'" + part + "' is not supported");
      }
      if (part.getBytes(StandardCharsets.UTF_8).length > DirectoryBlock.MAX_NAME_BYTES) {
        throw new PathError(path, "name '" + part + "' is longer than " + DirectoryBlock.MAX_NAME_BYTES + " bytes");
      }
      if (part.indexOf('\0') >= 0) {
        throw new PathError(path, "name contains a NUL byte");
      }
      out.add(part);
    }
    return out;
  }

  /** The parent's components and the last name of a path that must not be the root. */
  public record Split(List<String> parent, String name) {}

  public static Split split(String path) throws PathError {
    List<String> c = components(path);
    if (c.isEmpty()) {
      throw new PathError(path, "the root has no parent");
    }
    return new Split(List.copyOf(c.subList(0, c.size() - 1)), c.get(c.size() - 1));
  }

  /** Whether {@code inner} is {@code outer} or below it (a rename of a directory into itself). */
  public static boolean isWithin(List<String> inner, List<String> outer) {
    return inner.size() >= outer.size() && inner.subList(0, outer.size()).equals(outer);
  }
}
