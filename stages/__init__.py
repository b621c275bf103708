"""The stages every recipe shares, one module each, declared once and parameterised.

A recipe's run.py lists them, in the order of the stage table every recipe shares:

    STAGES = [corpus.stage(), data_prep.stage(), text_norm.stage(), manifest.stage(), lang.stage(),
              train.stage(), decode.stage(model_lm=True), score.stage(oracle=True)]
    sys.exit(recipe.main(STAGES, __file__, decoders=lambda args: ("greedy", "beam_lm")))

Path templates use the fields `stages/recipe.py` gives `run_recipe`: set (every data set), eval
(the scored sets), decoder (the recipe's decoders), corpus_dir and tag (the config's stem);
options (--lm-text, --hotwords, ...) are read from `ctx.options`. A recipe's own stage is one
more `Stage(...)` in its table, declared the same way (pipeline/stages.py). One module per stage
keeps code fingerprints narrow: a change in scoring code re-runs stage 7 only.
"""
