"""Where a model's signatures come from: one entry point per kind of source, each giving a `Loaded`
(the parsed model and the document it came from) and warnings. `codegen.api.load_each` picks one.

- remote, a model URL or `user/app/model[@version]`: `remote.pull.pull_models` (over the REST API)
- signature file, any JSON document `parser` accepts: `signature_file.read_signature_file`
- snapshot, the models of an output package (`DIR/.codegen/`): `snapshot.read_snapshots`
- local model directory (`config.yaml` + `1/model.py`), analysed, never run:
  `local.directory.analyze_model_dir` (`model_dir_signatures`: the signatures as the SDK stores them)

Shared by them: `ids` (which model it is: `--ref`, config.yaml, the environment), `files` (bounded
reads), `outcome` (a model or the error that stopped it).
"""
