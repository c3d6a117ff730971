import dataclasses
import pathlib

from neat.config import Config, reference_markdown

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_config_reference_is_generated_from_the_dataclasses():
    """docs/config.md must be regenerated when a config key changes:
    python -c "import neat.config as c; open('docs/config.md', 'w').write(c.reference_markdown())"
    """
    assert (ROOT / "docs" / "config.md").read_text() == reference_markdown()


def test_every_config_key_is_documented():
    text = reference_markdown()
    for name, cls in Config.sections().items():
        assert f"## [{name}]" in text
        for field in dataclasses.fields(cls):
            assert field.metadata["doc"], f"[{name}] {field.name} has no description"
            assert f"| `{field.name}` |" in text
