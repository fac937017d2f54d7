package dev.sketchreal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sketchreal train}: a container for the trainers (each trainer is a subcommand). */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a model component.",
    subcommands = {
      TrainSketchingRealityCommand.class,
      TrainSketchEncoderCommand.class,
      TrainJudgeCommand.class
    })
public final class TrainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
