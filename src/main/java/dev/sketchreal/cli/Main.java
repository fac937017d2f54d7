package dev.sketchreal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code sketchreal} command line. Each job is a picocli subcommand. */
@Command(
    name = "sketchreal",
    mixinStandardHelpOptions = true,
    version = "sketchreal 0.1.0",
    description = "Hand-drawn scene sketch + prompt -> photo-realistic image (SketchingReality).",
    subcommands = {
      CommandLine.HelpCommand.class,
      GenerateCommand.class,
      SketchWorldCommand.class,
      BenchCommand.class,
      TrainCommand.class,
      EvalCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (used by tests, which must not call System.exit). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(new ErrorHandler());
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
