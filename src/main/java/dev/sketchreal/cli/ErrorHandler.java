package dev.sketchreal.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a job into one clear error line and a non-zero exit code. Set
 * SKETCHREAL_DEBUG=1 to get the full stack trace as well.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    cmd.getErr().println("error: " + message);
    if (System.getenv("SKETCHREAL_DEBUG") != null) {
      ex.printStackTrace(cmd.getErr());
    }
    return 1;
  }
}
