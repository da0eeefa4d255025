package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code optim_fixtures.txt}, written by {@code src/test/python/make_optim_fixtures.py}
 * (the format is described there), and builds the Depth optimiser or scheduler a case describes.
 */
final class OptimFixtures {
    private OptimFixtures() {}

    static final String RESOURCE = "optim_fixtures.txt";

    record Group(double lr, double weightDecay, int[] params) {}

    /** One optimiser step: per parameter a gradient (null: none) and the expected values after it. */
    record Step(float[][] grads, float[][] expected) {}

    record OptimizerCase(String name, String optimizer, Map<String, String> options, List<Group> groups, int[][] shapes,
                         float[][] initial, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    record ScheduleCase(String name, String scheduler, Map<String, String> options, double[] lrs, List<double[]> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    record ClipCase(String name, double maxNorm, double normType, int[][] shapes, float[][] grads, double total,
                    float[][] expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    record All(List<OptimizerCase> optimizers, List<ScheduleCase> schedules, List<ClipCase> clips) {}

    private static All cached;

    static synchronized All load() {
        if (cached == null) cached = parse();
        return cached;
    }

    private static All parse() {
        List<OptimizerCase> opts = new ArrayList<>();
        List<ScheduleCase> scheds = new ArrayList<>();
        List<ClipCase> clips = new ArrayList<>();
        try (InputStream in = OptimFixtures.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("test resource " + RESOURCE + " is missing; run make_optim_fixtures.py");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> block = new ArrayList<>();
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] tok = line.trim().split(" +");
                block.add(tok);
                if (!tok[0].equals("end")) continue;
                String kind = block.get(0)[0];
                switch (kind) {
                    case "case" -> opts.add(optimizerCase(block));
                    case "schedule" -> scheds.add(scheduleCase(block));
                    case "clip" -> clips.add(clipCase(block));
                    default -> throw new IllegalStateException(RESOURCE + ":" + lineNo + ": unknown block '" + kind + "'");
                }
                block.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new All(opts, scheds, clips);
    }

    private static OptimizerCase optimizerCase(List<String[]> block) {
        String name = block.get(0)[1];
        String optimizer = null;
        Map<String, String> options = new LinkedHashMap<>();
        List<Group> groups = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<float[]> initial = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        float[][] grads = null, expected = null;
        for (String[] tok : block.subList(1, block.size())) {
            switch (tok[0]) {
                case "optimizer" -> {
                    optimizer = tok[1];
                    options.putAll(keyValues(tok, 2));
                }
                case "group" -> {
                    Map<String, String> kv = keyValues(tok, 1);
                    groups.add(new Group(Double.parseDouble(kv.get("lr")), Double.parseDouble(kv.get("weight_decay")),
                            Arrays.stream(kv.get("params").split(",")).mapToInt(Integer::parseInt).toArray()));
                }
                case "param" -> {
                    shapes.add(shape(tok[2]));
                    initial.add(floats(tok, 3));
                }
                case "step" -> {
                    if (grads != null) steps.add(new Step(grads, expected));
                    grads = new float[shapes.size()][];
                    expected = new float[shapes.size()][];
                }
                case "grad" -> grads[Integer.parseInt(tok[1])] = tok[2].equals("none") ? null : floats(tok, 2);
                case "expect" -> expected[Integer.parseInt(tok[1])] = floats(tok, 2);
                case "end" -> {
                    if (grads != null) steps.add(new Step(grads, expected));
                }
                default -> throw new IllegalStateException("case " + name + ": unknown line '" + tok[0] + "'");
            }
        }
        return new OptimizerCase(name, optimizer, options, groups, shapes.toArray(int[][]::new), initial.toArray(float[][]::new), steps);
    }

    private static ScheduleCase scheduleCase(List<String[]> block) {
        String[] head = block.get(0);
        Map<String, String> options = keyValues(head, 3);
        double[] lrs = Arrays.stream(options.remove("lr").split(",")).mapToDouble(Double::parseDouble).toArray();
        List<double[]> expected = new ArrayList<>();
        for (String[] tok : block.subList(1, block.size() - 1)) {
            if (Integer.parseInt(tok[1]) != expected.size()) throw new IllegalStateException("schedule " + head[1] + ": lrs out of order");
            double[] v = new double[tok.length - 2];
            for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(tok[i + 2]);
            expected.add(v);
        }
        return new ScheduleCase(head[1], head[2], options, lrs, expected);
    }

    private static ClipCase clipCase(List<String[]> block) {
        String[] head = block.get(0);
        Map<String, String> kv = keyValues(head, 2);
        double maxNorm = Double.parseDouble(kv.get("max_norm"));
        double normType = kv.get("norm_type").equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(kv.get("norm_type"));
        List<int[]> shapes = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        double total = Double.NaN;
        for (String[] tok : block.subList(1, block.size() - 1)) {
            switch (tok[0]) {
                case "param" -> {
                    shapes.add(shape(tok[2]));
                    expected.add(null);
                }
                case "grad" -> grads.add(tok[2].equals("none") ? null : floats(tok, 2));
                case "total" -> total = Double.parseDouble(tok[1]);
                case "expect" -> expected.set(Integer.parseInt(tok[1]), floats(tok, 2));
                default -> throw new IllegalStateException("clip " + head[1] + ": unknown line '" + tok[0] + "'");
            }
        }
        return new ClipCase(head[1], maxNorm, normType, shapes.toArray(int[][]::new), grads.toArray(float[][]::new), total,
                expected.toArray(float[][]::new));
    }

    private static Map<String, String> keyValues(String[] tok, int from) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = from; i < tok.length; i++) {
            int eq = tok[i].indexOf('=');
            kv.put(tok[i].substring(0, eq), tok[i].substring(eq + 1));
        }
        return kv;
    }

    private static int[] shape(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    private static float[] floats(String[] tok, int from) {
        float[] v = new float[tok.length - from];
        for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(tok[from + i]);
        return v;
    }

    // ---------------------------------------------------------------- building Depth objects

    /** Fresh parameters with the case's initial values. */
    static List<Tensor> params(OptimizerCase c) {
        List<Tensor> ps = new ArrayList<>();
        for (int i = 0; i < c.shapes().length; i++) ps.add(Tensor.of(c.initial()[i], c.shapes()[i]).requiresGrad(true));
        return ps;
    }

    /** The optimiser the case describes, over {@code params}. */
    static Optimizer optimizer(OptimizerCase c, List<Tensor> params) {
        Map<String, String> o = c.options();
        List<String> known = switch (c.optimizer()) {
            case "SGD" -> List.of("momentum", "dampening", "nesterov", "maximize");
            case "Adam", "AdamW" -> List.of("betas", "eps", "amsgrad", "maximize");
            case "RMSprop" -> List.of("alpha", "eps", "momentum", "centered", "maximize");
            case "Adagrad" -> List.of("lr_decay", "initial_accumulator_value", "eps", "maximize");
            default -> throw new IllegalStateException("unknown optimizer " + c.optimizer());
        };
        for (String k : o.keySet())
            if (!known.contains(k)) throw new IllegalStateException("case " + c.name() + ": option " + k + " is not mapped to Depth");
        Group g0 = c.groups().get(0);
        List<Tensor> first = pick(params, g0.params());
        Optimizer opt = switch (c.optimizer()) {
            case "SGD" -> {
                SGD sgd = new SGD(first, g0.lr());
                if (o.containsKey("momentum")) sgd.momentum(d(o, "momentum"));
                if (o.containsKey("dampening")) sgd.dampening(d(o, "dampening"));
                if (o.containsKey("nesterov")) sgd.nesterov(b(o, "nesterov"));
                if (o.containsKey("maximize")) sgd.maximize(b(o, "maximize"));
                yield sgd;
            }
            case "Adam" -> {
                Adam adam = new Adam(first, g0.lr());
                double[] betas = betas(o);
                if (betas != null) adam.betas(betas[0], betas[1]);
                if (o.containsKey("eps")) adam.eps(d(o, "eps"));
                if (o.containsKey("amsgrad")) adam.amsgrad(b(o, "amsgrad"));
                if (o.containsKey("maximize")) adam.maximize(b(o, "maximize"));
                yield adam;
            }
            case "AdamW" -> {
                AdamW adam = new AdamW(first, g0.lr());
                double[] betas = betas(o);
                if (betas != null) adam.betas(betas[0], betas[1]);
                if (o.containsKey("eps")) adam.eps(d(o, "eps"));
                if (o.containsKey("amsgrad")) adam.amsgrad(b(o, "amsgrad"));
                if (o.containsKey("maximize")) adam.maximize(b(o, "maximize"));
                yield adam;
            }
            case "RMSprop" -> {
                RMSprop rms = new RMSprop(first, g0.lr());
                if (o.containsKey("alpha")) rms.alpha(d(o, "alpha"));
                if (o.containsKey("eps")) rms.eps(d(o, "eps"));
                if (o.containsKey("momentum")) rms.momentum(d(o, "momentum"));
                if (o.containsKey("centered")) rms.centered(b(o, "centered"));
                if (o.containsKey("maximize")) rms.maximize(b(o, "maximize"));
                yield rms;
            }
            case "Adagrad" -> {
                Adagrad ada = new Adagrad(first, g0.lr());
                if (o.containsKey("lr_decay")) ada.lrDecay(d(o, "lr_decay"));
                if (o.containsKey("initial_accumulator_value")) ada.initialAccumulatorValue(d(o, "initial_accumulator_value"));
                if (o.containsKey("eps")) ada.eps(d(o, "eps"));
                if (o.containsKey("maximize")) ada.maximize(b(o, "maximize"));
                yield ada;
            }
            default -> throw new IllegalStateException("unknown optimizer " + c.optimizer());
        };
        opt.paramGroups().get(0).setWeightDecay(g0.weightDecay());
        for (Group g : c.groups().subList(1, c.groups().size())) opt.addParamGroup(pick(params, g.params()), g.lr(), g.weightDecay());
        return opt;
    }

    /** The scheduler the case describes, over {@code opt}. */
    static LRScheduler scheduler(ScheduleCase c, Optimizer opt) {
        Map<String, String> o = c.options();
        return switch (c.scheduler()) {
            case "StepLR" -> new StepLR(opt, i(o, "step_size"), d(o, "gamma"));
            case "ExponentialLR" -> new ExponentialLR(opt, d(o, "gamma"));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, i(o, "t_max"), d(o, "eta_min"));
            case "WarmupCosine" -> new WarmupCosine(opt, i(o, "warmup_steps"), i(o, "total_steps"), d(o, "start_factor"), d(o, "min_lr"));
            default -> throw new IllegalStateException("unknown scheduler " + c.scheduler());
        };
    }

    private static List<Tensor> pick(List<Tensor> all, int[] idx) {
        List<Tensor> out = new ArrayList<>();
        for (int i : idx) out.add(all.get(i));
        return out;
    }

    private static double[] betas(Map<String, String> o) {
        return o.containsKey("betas") ? Arrays.stream(o.get("betas").split(",")).mapToDouble(Double::parseDouble).toArray() : null;
    }

    private static double d(Map<String, String> o, String k) {
        return Double.parseDouble(o.get(k));
    }

    private static int i(Map<String, String> o, String k) {
        return Integer.parseInt(o.get(k));
    }

    private static boolean b(Map<String, String> o, String k) {
        return Boolean.parseBoolean(o.get(k));
    }
}
