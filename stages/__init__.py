"""The stages every recipe shares, one module each, declared once and parameterised.

A recipe's run.py lists them (stages/README of the table is DESIGN.md's "Stages"):

    STAGES = [corpus.stage(), data_prep.stage(), text_norm.stage(), manifest.stage(), lang.stage(),
              train.stage(), decode.stage(DECODERS), score.stage(DECODERS)]

Path templates use the fields a recipe gives `run_recipe`: set (every data set), eval (the
scored sets), corpus_dir, tag (the config's stem) and the option paths. One module per stage
keeps code fingerprints narrow: a change in scoring code re-runs stage 7 only.
"""
