package dev.myelin.optim;

import dev.myelin.nn.Parameter;

import java.util.List;

/** AdamW (torch.optim.AdamW): Adam with decoupled weight decay; torch's defaults (weight decay 0.01). */
public final class AdamW {
    private AdamW() {
    }

    public static Adam create(List<Parameter> parameters, float learningRate) {
        return create(parameters, learningRate, 0.01f);
    }

    public static Adam create(List<Parameter> parameters, float learningRate, float weightDecay) {
        return new Adam(parameters, learningRate, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }
}
