package io.gloo.core.watch;

import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** Finds manifest files under directories: which names count, which are hidden or editor leftovers. */
final class ManifestFiles {

  /** Manifest files (sorted, deduplicated), the directories they were found in, and paths that do not exist. */
  record Listing(List<Path> files, List<Path> directories, List<SourceProblem> problems) {}

  private ManifestFiles() {}

  static boolean isManifestName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !isIgnoredName(name) && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
  }

  /** Hidden files and directories (including Kubernetes' {@code ..data} mounts), and editor temp/backup files. */
  static boolean isIgnoredName(String name) {
    return name.startsWith(".") || name.startsWith("#") || name.endsWith("~")
        || name.endsWith(".swp") || name.endsWith(".swx") || name.endsWith(".tmp");
  }

  /**
   * Lists manifests under each path. A directory is walked recursively; a file named directly is taken whatever its
   * extension (the user asked for it). Symbolic links are followed, so ConfigMap volume mounts (whose files link into
   * a hidden {@code ..data} directory) work.
   */
  static Listing list(List<Path> roots) {
    TreeSet<Path> files = new TreeSet<>();
    List<Path> directories = new ArrayList<>();
    List<SourceProblem> problems = new ArrayList<>();
    for (Path root : roots) {
      if (Files.isDirectory(root)) {
        walk(root, files, directories);
      } else if (Files.isRegularFile(root)) {
        files.add(root);
      } else {
        problems.add(new SourceProblem(root.toString(), 0, 0, "path does not exist"));
      }
    }
    return new Listing(List.copyOf(files), List.copyOf(directories), List.copyOf(problems));
  }

  private static void walk(Path root, TreeSet<Path> files, List<Path> directories) {
    try {
      Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(root) && isIgnoredName(dir.getFileName().toString())) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              directories.add(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile() && isManifestName(file.getFileName().toString())) {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // deleted while walking, a symlink loop, or unreadable: skip it
            }
          });
    } catch (IOException e) {
      // walkFileTree only throws what the visitor throws, and ours does not
      throw new java.io.UncheckedIOException(e);
    }
  }
}
