package dev.polyserve.cli.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A scenario that measures each of its models in turn, one server JVM at a time. The loop is here: the scenario's
 * models narrowed by --models and to those this machine has, one progress step per model, and a model that fails (its
 * server does not start, the load throws) kept as a failed run while the next model still runs. A scenario states
 * its name, its models, how one model is measured, and in {@link #run} how {@link #runEach}'s runs are written up.
 *
 * @param <R> one model's figures, or why it has none
 */
abstract class PerModelScenario<R> implements LabScenario {
    private final String name;
    private final List<String> models;

    PerModelScenario(String name, List<String> models) {
        this.name = name;
        this.models = List.copyOf(models);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public int steps(Lab lab) {
        return lab.models(models).size();
    }

    /** Every model's run, in the scenario's order; a failed model's is {@link #failed}. */
    final List<R> runEach(Lab lab) throws InterruptedException {
        List<R> runs = new ArrayList<>();
        for (String model : lab.models(models)) {
            try {
                runs.add(measure(lab, model));
            } catch (IOException | RuntimeException e) {
                runs.add(failed(model, e.getMessage()));
                lab.progress(name + " " + model + ": failed: " + e.getMessage());
            }
        }
        return runs;
    }

    /** Measures {@code model} (its own server, started and stopped here) and reports it as one {@link Lab#progress} step. */
    abstract R measure(Lab lab, String model) throws IOException, InterruptedException;

    /** The run of a model whose measurement threw {@code error}. */
    abstract R failed(String model, String error);
}
