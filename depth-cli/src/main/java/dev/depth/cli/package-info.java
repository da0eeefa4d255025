/** The {@code depth} command line (picocli): {@code depth train}, {@code depth eval}. */
package dev.depth.cli;
