"""Tests for emrlint.bootstrap: EMR202 script and args analysis."""

from __future__ import annotations

import textwrap

import pytest

from emrlint.bootstrap import KINDS, Offence, analyze_args, analyze_script, is_http_url


def scan(text, files=None):
    """Offences of a dedented script as (kind, line) pairs."""
    read = (lambda path: (files or {}).get(path)) if files is not None else None
    return [(o.kind, o.line) for o in analyze_script(textwrap.dedent(text).lstrip("\n"), read)]


def kinds(text, files=None):
    return [kind for kind, _ in scan(text, files)]


def detail(offence: Offence) -> str:
    """The message without its leading `command` quote."""
    return offence.message.split("` ", 1)[1]


def one(text, files=None) -> Offence:
    found = analyze_script(textwrap.dedent(text).lstrip("\n"), (files or {}).get)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- a realistic script

REAL_SCRIPT = r"""
#!/bin/bash
set -euo pipefail
# Bootstrap for analytics clusters.  Don't edit by hand.
IS_MASTER=$(cat /mnt/var/lib/info/instance.json | jq -r .isMaster)
TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)

install_python_libs() {
  sudo python3 -m pip install --upgrade pip
  sudo pip3 install \
      boto3==1.34.0 \
      pandas \
      "pyarrow>=14,<16"
}

sudo yum install -y htop-2.2.0 jq && sudo yum update -y
aws s3 cp s3://my-bucket/wheels/ /tmp/wheels --recursive
sudo pip3 install /tmp/wheels/*.whl

cat <<'EOF' > /etc/profile.d/spark.sh
pip install this-is-data
export PYSPARK_PYTHON=python3
EOF

echo "H4sIAAAAAAAAA+3OMQ6CQBCF4a1xFdbWQgcrb8GJpEfxQ6S0ZTXUeAZGtHOUT" | base64 -d > /tmp/blob.tgz
if [ "$IS_MASTER" = "true" ]; then
  curl -fsSL https://raw.githubusercontent.com/org/tools/main/install.sh | sudo bash -s -- --mode master
  git clone https://github.com/org/jobs.git /opt/jobs
fi
install_python_libs
"""


def test_real_script_reports_each_offending_command_at_its_first_line():
    found = analyze_script(REAL_SCRIPT.lstrip("\n"))
    assert [(o.kind, o.line) for o in found] == [
        ("pip-upgrade", 9),
        ("pip-unpinned", 10),
        ("os-package-unpinned", 16),
        ("pipe-to-shell", 27),
        ("git-clone-unpinned", 28),
    ]
    pip = found[1]
    assert pip.end_line == 13
    assert pip.column == 3
    assert pip.command == 'sudo pip3 install boto3==1.34.0 pandas "pyarrow>=14,<16"'
    assert detail(pip).startswith("installs pandas, pyarrow>=14,<16 without an exact version")
    assert detail(found[2]).startswith("installs jq without a version")


def test_offence_fields_and_message():
    o = one("sudo pip install pandas numpy\n")
    assert (o.line, o.column, o.end_line, o.kind) == (1, 1, 1, "pip-unpinned")
    assert o.command == "sudo pip install pandas numpy"
    assert o.message.startswith("`sudo pip install pandas numpy` installs pandas, numpy without an exact version;")
    assert "pandas==" in o.message


def test_every_offence_kind_is_declared():
    found = analyze_script(REAL_SCRIPT) + analyze_args(["numpy"], "install-libs.sh")
    assert found and all(o.kind in KINDS for o in found)


def test_long_command_text_is_clipped():
    o = one("pip install " + " ".join(f"package{i}" for i in range(40)) + "\n")
    assert len(o.command) <= 120
    assert o.command.endswith("…")


# --------------------------------------------------------------------------- shell structure


def test_and_chain_yields_one_offence_per_command_with_columns():
    found = analyze_script("pip install pandas && yum install -y htop || npm install left-pad\n")
    assert [(o.kind, o.line, o.column) for o in found] == [
        ("pip-unpinned", 1, 1),
        ("os-package-unpinned", 1, 23),
        ("npm-unpinned", 1, 46),
    ]


def test_semicolons_and_background():
    assert kinds("cd /tmp; pip install a & yum install -y b\n") == ["pip-unpinned", "os-package-unpinned"]


def test_line_continuation_reports_first_line_and_end_line():
    o = one(
        """
        echo start
        sudo pip3 install \\
            --no-cache-dir \\
            pandas
        """
    )
    assert (o.line, o.end_line, o.column) == (2, 4, 1)
    assert o.command == "sudo pip3 install --no-cache-dir pandas"


def test_chain_continued_after_operator_on_next_line():
    found = analyze_script("pip install a==1 &&\n  yum install -y htop\n")
    assert [(o.kind, o.line, o.column) for o in found] == [("os-package-unpinned", 2, 3)]


def test_quoted_string_spanning_lines_is_one_word():
    text = 'python3 -c "\nimport sys\nprint(1)\n" && pip install requests\n'
    assert [(o.kind, o.line) for o in analyze_script(text)] == [("pip-unpinned", 4)]


def test_comments_do_not_fire_even_with_quotes_and_backslashes():
    assert kinds(
        """
        # pip install pandas
        # don't forget: yum install -y htop \\
        echo ok   # curl https://x.sh | bash
        """
    ) == []


def test_comment_ending_in_backslash_does_not_swallow_next_line():
    assert scan("# old: pip install a \\\npip install b\n") == [("pip-unpinned", 2)]


def test_comment_after_operator_without_space():
    assert kinds("true;# pip install x\n") == []


def test_hash_inside_word_is_not_a_comment():
    assert kinds("pip install 'git+https://github.com/o/r.git#egg=r'\n") == ["pip-unpinned"]


def test_echo_and_printf_strings_do_not_fire():
    assert kinds(
        """
        echo "pip install pandas"
        printf 'yum install -y htop\\n'
        echo curl https://x/install.sh | tee /tmp/log
        """
    ) == []


def test_heredoc_bodies_are_data():
    assert kinds(
        """
        cat <<EOF > /tmp/a.sh
        pip install a
        EOF
        cat <<'EOF' > /tmp/b.sh
        yum install -y b
        it's "unbalanced
        EOF
        sudo tee /tmp/c <<"END" >/dev/null && echo done
        git clone https://github.com/o/r.git
        END
        pip install after
        """
    ) == ["pip-unpinned"]


def test_heredoc_with_dash_strips_tabs_and_line_numbers_continue():
    text = "if true; then\n\tcat <<-EOF > /tmp/x\n\tpip install a\n\tEOF\nfi\npip install b\n"
    assert [(o.kind, o.line) for o in analyze_script(text)] == [("pip-unpinned", 6)]


def test_heredoc_inside_command_substitution():
    text = 'CONF=$(cat <<EOF\npip install a\nEOF\n)\npip install b\n'
    assert [(o.kind, o.line) for o in analyze_script(text)] == [("pip-unpinned", 5)]


def test_here_string_is_not_a_heredoc():
    assert scan("bash <<< 'echo hi'\npip install b\n") == [("pip-unpinned", 2)]


def test_unclosed_quote_skips_the_line_and_continues():
    found = scan(
        """
        pip install a
        echo it's broken pip install b
        pip install c
        """
    )
    assert found == [("pip-unpinned", 1), ("pip-unpinned", 3)]


def test_trailing_backslash_at_end_of_file_does_not_crash():
    assert kinds("pip install a==1 \\") == []
    assert kinds('pip install "unclosed') == []


def test_empty_and_blank_scripts():
    assert analyze_script("") == []
    assert analyze_script("\n\n   \n# only a comment\n") == []


def test_if_then_else_do_keywords_before_commands():
    assert scan(
        """
        if ! pip install a; then
          echo failed
        else pip install b; fi
        for x in 1 2; do yum install -y c; done
        while false; do npm i d; done
        """
    ) == [("pip-unpinned", 1), ("pip-unpinned", 3), ("os-package-unpinned", 4), ("npm-unpinned", 5)]


def test_functions_and_subshells():
    assert scan(
        """
        setup() {
          pip install a
        }
        (cd /tmp && yum install -y b)
        """
    ) == [("pip-unpinned", 2), ("os-package-unpinned", 4)]


def test_column_of_indented_command():
    assert analyze_script("    sudo pip install x\n")[0].column == 5


def test_crlf_line_endings():
    assert scan("echo hi\r\npip install a \\\r\n  b\r\n") == [("pip-unpinned", 2)]


def test_redirections_are_not_packages():
    o = one("pip install pandas==2.2.2 numpy > /tmp/log 2>&1\n")
    assert detail(o).startswith("installs numpy without an exact version")
    assert o.command == "pip install pandas==2.2.2 numpy > /tmp/log 2>&1"
    assert kinds("yum install -y htop-1.0 &>/dev/null\n") == []
    assert kinds("yum install -y htop-1.0 2>/dev/null\n") == []


def test_unquoted_comparison_is_a_redirection_so_package_is_unpinned():
    # the shell reads ">=2" as a redirection to the file "=2"
    o = one("pip install pandas>=2\n")
    assert o.kind == "pip-unpinned"
    assert "installs pandas without" in o.message


# --------------------------------------------------------------------------- wrappers and unknowns


@pytest.mark.parametrize("prefix", [
    "sudo", "sudo -E", "sudo -H", "sudo -u hadoop", "env", "env PIP_NO_CACHE_DIR=1", "PIP_INDEX_URL=x",
    "time", "nohup", "sudo -E env A=1 B=2", "nice -n 10", "timeout 300", "exec",
])
def test_wrappers_are_skipped(prefix):
    assert kinds(f"{prefix} pip install pandas\n") == ["pip-unpinned"]


def test_xargs_feeds_unknown_arguments():
    assert kinds("cat reqs.txt | xargs -n1 sudo pip install\n") == []
    assert kinds("cat pkgs | xargs -I {} pip install {}\n") == []


def test_assignment_alone_is_not_a_command():
    assert kinds("PKGS='pandas numpy'\n") == []


@pytest.mark.parametrize("line", [
    "pip install $PKGS",
    'pip install "$@"',
    "pip install ${packages}",
    "pip install $${pkg}",
    'pip install "${pkg}==1.0"',
    "pip install `cat list`",
    "pip install $(cat requirements.txt)",
    "yum install -y $PACKAGES",
    "npm install $NPM_PKGS",
    "conda install -y ${conda_pkgs}",
])
def test_unknown_package_lists_do_not_fire(line):
    assert kinds(line + "\n") == []


def test_known_package_next_to_unknown_one_still_fires():
    o = one("pip install $EXTRA pandas\n")
    assert "installs pandas without" in o.message


def test_terraform_template_script():
    text = textwrap.dedent(
        """
        #!/bin/bash
        %{ if install_extras }
        sudo pip3 install ${extra_packages}
        %{ endif }
        %{~ for pkg in pinned ~}
        sudo pip3 install ${pkg}
        %{~ endfor ~}
        for p in $${PKGS}; do sudo pip3 install "$p"; done
        sudo pip3 install pandas
        """
    ).lstrip("\n")
    assert [(o.kind, o.line) for o in analyze_script(text)] == [("pip-unpinned", 9)]


def test_nested_bash_c_is_analysed_at_the_outer_command():
    found = analyze_script("echo x\nsudo bash -c 'pip install a && yum install -y b'\n")
    assert [(o.kind, o.line, o.column) for o in found] == [("pip-unpinned", 2, 1), ("os-package-unpinned", 2, 1)]
    assert kinds("sudo sh -c 'echo export A=1 >> /etc/profile'\n") == []


# --------------------------------------------------------------------------- pip


@pytest.mark.parametrize("line", [
    "pip install pandas",
    "pip3 install pandas",
    "pip3.9 install pandas",
    "python -m pip install pandas",
    "python3 -m pip install pandas",
    "python3.11 -m pip install pandas",
    "/usr/bin/pip3 install pandas",
    "/usr/local/bin/python3 -m pip install pandas",
    "sudo -H pip3 install pandas",
    "$PYTHON -m pip install pandas",
    "pip3 --quiet install pandas",
    "pip --disable-pip-version-check --proxy http://proxy:3128 install pandas",
])
def test_pip_invocations(line):
    assert kinds(line + "\n") == ["pip-unpinned"]


@pytest.mark.parametrize("spec", [
    "pandas", "'pandas>=2'", "pandas~=2.2", "pandas==2.*", "'pandas[sql]'", '"pandas>=2,<3"', "'pandas!=2.0'",
    "'pandas<3'", "Scikit_Learn", "'pandas; python_version>\"3.8\"'",
])
def test_pip_unpinned_specs(spec):
    assert kinds(f"pip install {spec}\n") == ["pip-unpinned"]


@pytest.mark.parametrize("spec", [
    "pandas==2.2.2", "pandas===2.2.2", "'pandas[sql]==2.2.2'", "'pandas == 2.2.2'",
    "'pandas==2.2.2; python_version>\"3.8\"'",
    "/tmp/wheels/pandas-2.2.2-py3-none-any.whl", "pandas-2.2.2.tar.gz", "pkg.zip", "./local", ".",
    "s3://bucket/x.whl", "https://files.example.com/pandas-2.2.2.tar.gz",
    "git+https://github.com/org/repo.git@v1.2.3", "'git+https://github.com/org/repo.git@abc123#egg=repo'",
    "'repo @ git+https://github.com/org/repo.git@v1'", "git+ssh://git@github.com/org/repo.git@v1",
    "'/tmp/wheels/*.whl'",
])
def test_pip_pinned_or_skipped_specs(spec):
    assert kinds(f"pip install {spec}\n") == []


def test_pip_vcs_without_ref_is_unpinned():
    assert kinds("pip install git+https://github.com/org/repo.git\n") == ["pip-unpinned"]
    assert kinds("pip install git+ssh://git@github.com/org/repo.git\n") == ["pip-unpinned"]
    assert kinds("pip install -e git+https://github.com/org/repo.git#egg=repo\n") == ["pip-unpinned"]


def test_pip_options_consume_their_values():
    line = ("pip install -i https://pypi.org/simple --extra-index-url https://x/simple -f /wheels "
            "--trusted-host pypi.org --target /opt/lib --only-binary :all: --timeout 60 --retries 3 "
            "--cache-dir /tmp/c --log /tmp/l --upgrade-strategy eager --progress-bar off "
            "--prefix /usr --root / --platform manylinux2014_x86_64 --python-version 3.9 "
            "--implementation cp --abi cp39 --no-binary :none: pandas==2.2.2\n")
    assert kinds(line) == []
    assert kinds("pip install --index-url=https://pypi.org/simple --target=/opt/lib pandas==2.2.2\n") == []


def test_pip_constraint_file_makes_install_unknown():
    assert kinds("pip install -c constraints.txt pandas\n") == []
    assert kinds("pip install --constraint=constraints.txt pandas\n") == []


def test_pip_no_index_installs_from_local_wheelhouse():
    assert kinds("pip install --no-index --find-links /tmp/wheels pandas\n") == []


def test_pip_upgrade_flag():
    o = one("sudo pip3 install -U pandas\n")
    assert o.kind == "pip-upgrade" and "-U" in o.message
    o = one("pip install --upgrade pandas==2.2.2 numpy\n")
    assert o.kind == "pip-upgrade" and "--upgrade" in o.message and "numpy" in o.message
    assert one("pip install -qU pandas\n").kind == "pip-upgrade"
    assert kinds("pip install -U pandas==2.2.2 numpy==1.26.4\n") == []


def test_pip_upgrading_pip_itself_is_an_offence():
    o = one("sudo python3 -m pip install --upgrade pip setuptools\n")
    assert o.kind == "pip-upgrade"
    assert "pip, setuptools" in o.message


@pytest.mark.parametrize("line", [
    "pip download pandas", "pip uninstall -y pandas", "pip freeze", "pip list", "pip install",
    "pip --version", "pip show pandas", "python3 -m venv /opt/venv", "pip $SUBCOMMAND pandas",
])
def test_pip_non_installs(line):
    assert kinds(line + "\n") == []


REQUIREMENTS = """\
# analytics deps
--index-url https://pypi.org/simple
boto3==1.34.0
pandas>=2.0 ; python_version >= "3.9"
requests==2.31.0 \\
    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1
numpy
-e git+https://github.com/org/lib.git@v1#egg=lib
-r base.txt
"""


def test_pip_requirements_file_with_unpinned_lines():
    files = {"requirements.txt": REQUIREMENTS, "base.txt": "pyyaml\nsix==1.16.0\n-r deeper.txt\n",
             "deeper.txt": "never-read\n"}
    o = one("pip install -r requirements.txt\n", files)
    assert o.kind == "pip-requirements-unpinned"
    assert "requirements.txt" in o.message
    assert "pandas>=2.0" in o.message and "numpy" in o.message and "pyyaml" in o.message
    assert "boto3" not in o.message and "requests" not in o.message and "never-read" not in o.message


def test_pip_requirements_file_nested_path_is_relative_to_parent():
    files = {"reqs/prod.txt": "-r base.txt\n", "reqs/base.txt": "flask\n"}
    assert "flask" in one("pip install -r reqs/prod.txt\n", files).message


def test_pip_requirements_file_all_pinned_or_unknown():
    files = {"ok.txt": "pandas==2.2.2\n# numpy\n\nboto3===1.34.0  # pinned\n-r missing.txt\n",
             "constrained.txt": "-c constraints.txt\npandas\n"}
    assert kinds("pip install -r ok.txt\n", files) == []
    assert kinds("pip install -r missing.txt\n", files) == []
    assert kinds("pip install -r constrained.txt\n", files) == []
    assert kinds("pip install -r $REQS\n", files) == []
    assert kinds("pip install -r requirements.txt\n") == []  # no read_file: unknown


def test_pip_requirements_attached_and_long_forms():
    files = {"r.txt": "pandas\n"}
    assert kinds("pip install -rr.txt\n", files) == ["pip-requirements-unpinned"]
    assert kinds("pip install --requirement=r.txt\n", files) == ["pip-requirements-unpinned"]
    assert kinds("pip install --requirement r.txt\n", files) == ["pip-requirements-unpinned"]


def test_pip_requirements_with_upgrade_is_reported_once_as_upgrade():
    found = analyze_script("pip install -U -r r.txt pandas\n", {"r.txt": "numpy\n"}.get)
    assert [o.kind for o in found] == ["pip-upgrade"]
    assert "numpy" in found[0].message and "pandas" in found[0].message


def test_pip_requirements_file_read_with_path_as_written():
    seen = []

    def read(path):
        seen.append(path)
        return None

    analyze_script("pip install -r /home/hadoop/requirements.txt\n", read)
    assert seen == ["/home/hadoop/requirements.txt"]


# --------------------------------------------------------------------------- OS packages


@pytest.mark.parametrize("line", [
    "yum install -y htop",
    "sudo yum -y install htop",
    "yum install -y -q --enablerepo=epel --setopt=tsflags=nodocs htop",
    "dnf install -y gcc",
    "apt-get install -y jq",
    "sudo apt-get -o Dpkg::Options::=--force-confold install -y jq",
    "apt install jq",
    "zypper -n install jq",
    "zypper in jq",
    "yum install -y '@Development Tools'",
    "yum install -y 'java-1.8.0-openjdk*'",
    "amazon-linux-extras install -y epel",
])
def test_os_packages_unversioned(line):
    assert kinds(line + "\n") == ["os-package-unpinned"]


@pytest.mark.parametrize("line", [
    "yum install -y htop-2.2.0",
    "yum install -y java-1.8.0-openjdk",
    "apt-get install -y jq=1.6-1",
    "yum install -y /tmp/pkg.rpm",
    "yum install -y https://example.com/epel-release-latest-7.noarch.rpm",
    "yum localinstall -y local.rpm",
    "amazon-linux-extras install -y python3.8 java-openjdk11",
    "yum update -y",
    "yum upgrade -y",
    "apt-get update",
    "yum install -y $PKGS",
    "yum install",
])
def test_os_packages_versioned_or_not_installs(line):
    assert kinds(line + "\n") == []


def test_os_message_names_only_unversioned_packages():
    o = one("yum install -y htop-2.2.0 jq git\n")
    assert detail(o).startswith("installs jq, git without a version")
    assert "jq-<version>" in o.message
    assert "jq=<version>" in one("apt-get install -y jq\n").message


# --------------------------------------------------------------------------- conda and npm


@pytest.mark.parametrize("line, expected", [
    ("conda install -y numpy", ["conda-unpinned"]),
    ("conda install -y -c conda-forge numpy", ["conda-unpinned"]),
    ("mamba install -y 'numpy>=1.26'", ["conda-unpinned"]),
    ("micromamba create -n env -c conda-forge python=3.11 pandas", ["conda-unpinned"]),
    ("conda install -y numpy=1.26.4", []),
    ("conda install -y numpy==1.26.4 conda-forge::pandas=2.2.2", []),
    ("conda install -y 'numpy 1.26.4'", []),
    ("conda install --file requirements.txt pandas", []),
    ("conda create -p /opt/env --clone base", []),
    ("conda env create -f environment.yml", []),
    ("conda install -n py39 -c conda-forge -y pandas=2.2.2", []),
    ("conda update --all", []),
])
def test_conda(line, expected):
    assert kinds(line + "\n") == expected


@pytest.mark.parametrize("line, expected", [
    ("npm install -g left-pad", ["npm-unpinned"]),
    ("npm i left-pad", ["npm-unpinned"]),
    ("npm add left-pad@latest", ["npm-unpinned"]),
    ("npm install left-pad@^1.3.0", ["npm-unpinned"]),
    ("npm install -g @aws-amplify/cli", ["npm-unpinned"]),
    ("yarn add left-pad", ["npm-unpinned"]),
    ("yarn global add left-pad", ["npm-unpinned"]),
    ("pnpm add left-pad", ["npm-unpinned"]),
    ("npm install -g left-pad@1.3.0", []),
    ("npm install -g @aws-amplify/cli@12.1.0", []),
    ("npm install", []),
    ("npm ci", []),
    ("yarn install", []),
    ("npm install ./local-pkg", []),
    ("npm install github:org/repo", []),
    ("npm install --prefix /opt/app", []),
])
def test_npm(line, expected):
    assert kinds(line + "\n") == expected


def test_npm_scoped_message():
    assert "@aws-amplify/cli@<version>" in one("npm install -g @aws-amplify/cli\n").message


# --------------------------------------------------------------------------- pipe to shell


@pytest.mark.parametrize("line", [
    "curl -fsSL https://get.docker.com | sh",
    "curl -sSL https://install.python-poetry.org | python3 -",
    "curl https://x.example.com/i.sh | sudo bash",
    "curl https://x.example.com/i.sh | sudo -E bash -s -- --version 1.2",
    "wget -qO- https://x.example.com/i.sh | bash",
    "curl -s https://x.example.com/i.sh | tee /tmp/i.sh | bash",
    "curl -s https://x.example.com/i.py | python",
    "bash <(curl -fsSL https://x.example.com/i.sh)",
    'sh -c "$(curl -fsSL https://x.example.com/i.sh)"',
    'eval "$(wget -qO- https://x.example.com/env.sh)"',
    "curl -s $INSTALLER_URL | bash",
])
def test_pipe_to_shell(line):
    assert kinds(line + "\n") == ["pipe-to-shell"]


@pytest.mark.parametrize("line", [
    "curl -s http://169.254.169.254/latest/meta-data/instance-id | python3 -c 'import sys; print(1)'",
    "curl -s http://169.254.169.254/latest/dynamic/instance-identity/document | jq -r .region",
    "curl -s http://169.254.169.254/latest/user-data | bash",
    "curl -fsSL https://x.example.com/data.json | python3 -c 'import json,sys; json.load(sys.stdin)'",
    "curl -fsSL https://x.example.com/i.sh -o /tmp/i.sh && bash /tmp/i.sh",
    "cat /tmp/i.sh | bash",
    "curl -fsSL https://x.example.com/i.sh | bash /tmp/other.sh",
    "echo curl https://x | bash",
])
def test_not_pipe_to_shell(line):
    assert kinds(line + "\n") == []


def test_pipe_to_shell_reported_once_at_pipeline_start():
    found = analyze_script("echo go\ncurl -fsSL https://github.com/o/r/releases/latest/download/i.sh |\n  bash\n")
    assert [(o.kind, o.line, o.end_line) for o in found] == [("pipe-to-shell", 2, 3)]
    assert found[0].command.startswith("curl -fsSL") and found[0].command.endswith("| bash")


def test_pipe_to_shell_inside_command_substitution():
    assert kinds("OUT=$(curl -fsSL https://x.example.com/i.sh | bash)\n") == ["pipe-to-shell"]


def test_pipe_to_shell_from_subshell_output():
    assert kinds("(cd /tmp && curl -fsSL https://x.example.com/i.sh) | bash\n") == ["pipe-to-shell"]
    assert kinds('echo "$(curl -fsSL https://x.example.com/i.sh)" | bash\n') == []  # quoted: one unknown word
    assert kinds("V=$(curl -s https://x.example.com/v.txt) && echo $V | bash\n") == []


# --------------------------------------------------------------------------- git clone


def test_git_clone_unpinned():
    o = one("git clone https://github.com/org/jobs.git /opt/jobs\n")
    assert o.kind == "git-clone-unpinned" and "https://github.com/org/jobs.git" in o.message
    assert kinds("git clone --depth 1 https://github.com/org/jobs.git\n") == ["git-clone-unpinned"]
    assert kinds("sudo git -c http.sslVerify=false clone --recursive https://github.com/org/jobs.git\n") == [
        "git-clone-unpinned"]


@pytest.mark.parametrize("script", [
    "git clone -b v1.2.3 https://github.com/org/jobs.git",
    "git clone --branch=v1.2.3 --depth 1 https://github.com/org/jobs.git",
    "git clone --depth 1 --branch release https://github.com/org/jobs.git /opt/jobs",
    "git clone https://github.com/org/jobs.git /opt/jobs\ncd /opt/jobs && git checkout 3f2a9c1",
    "git clone https://github.com/org/jobs.git /opt/jobs\ngit -C /opt/jobs checkout v1.2.3",
    "git clone https://github.com/org/jobs.git\ncd jobs\ngit reset --hard 3f2a9c1",
    "git clone https://github.com/org/jobs.git\ngit -C jobs switch --detach v1.2.3",
    "git clone $GIT_OPTS https://github.com/org/jobs.git",
    "git clone",
    "git pull",
])
def test_git_clone_pinned_or_unknown(script):
    assert kinds(script + "\n") == []


def test_git_checkout_before_clone_does_not_pin_it():
    assert kinds("git checkout v1\ngit clone https://github.com/org/jobs.git\n") == ["git-clone-unpinned"]


# --------------------------------------------------------------------------- latest downloads


@pytest.mark.parametrize("line", [
    "curl -L -o /tmp/x.tgz https://github.com/o/r/releases/latest/download/x.tar.gz",
    "curl -s https://api.github.com/repos/o/r/releases/latest",
    "wget https://archive.example.com/spark/spark-latest.tgz",
    "wget https://archive.example.com/tools/tool_latest.zip",
    "wget https://archive.example.com/tools/latest.tar.gz",
    "aws s3 cp s3://bucket/jars/latest/app.jar /usr/lib/spark/jars/",
    "aws s3 sync s3://bucket/latest/ /opt/app --exclude '*.md'",
    "sudo aws --region us-east-1 s3 cp s3://bucket/app-latest.jar /tmp/",
])
def test_latest_download(line):
    assert kinds(line + "\n") == ["latest-download"]


@pytest.mark.parametrize("line", [
    "curl -s http://169.254.169.254/latest/meta-data/instance-id",
    'TOKEN=$(curl -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")',
    "curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/placement/region",
    "wget https://archive.example.com/spark/spark-3.5.1-bin-hadoop3.tgz",
    "wget https://archive.example.com/latest2/x.tgz",
    "wget -O /tmp/spark-latest.tgz https://archive.example.com/spark/spark-3.5.1.tgz",
    "aws s3 cp /tmp/report.txt s3://bucket/latest/report.txt",
    "curl https://${host}/latest/x.tgz",
    "curl https://example.com/download?version=latest",
])
def test_not_latest_download(line):
    assert kinds(line + "\n") == []


# --------------------------------------------------------------------------- args analysis


def arg_kinds(args, script_name="", files=None):
    return [o.kind for o in analyze_args(args, script_name, (files or {}).get)]


def test_args_as_separate_words_and_as_command_lines():
    assert arg_kinds(["pip", "install", "pandas"]) == ["pip-unpinned"]
    assert arg_kinds(["-c", "pip install pandas"]) == ["pip-unpinned"]
    assert arg_kinds(["-c", "sudo pip install pandas && yum install -y htop"]) == [
        "pip-unpinned", "os-package-unpinned"]
    assert arg_kinds(["sudo", "pip", "install", "-U", "x"]) == ["pip-upgrade"]
    assert arg_kinds(["conda", "install", "x"]) == ["conda-unpinned"]
    assert arg_kinds(["npm", "install", "x"]) == ["npm-unpinned"]


def test_args_offences_have_no_position():
    o = analyze_args(["yum", "install", "-y", "htop"])[0]
    assert (o.line, o.column, o.end_line) == (0, 0, 0)
    assert o.command == "yum install -y htop"
    assert o.message.startswith("`yum install -y htop` installs htop")


def test_args_command_text_starts_at_the_command():
    found = analyze_args(["-c", "sudo pip install pandas && yum install -y htop"])
    assert [o.command for o in found] == ["sudo pip install pandas", "yum install -y htop"]


def test_args_with_run_if_condition():
    assert arg_kinds(["instance.isMaster=true", "sudo pip3 install pandas"]) == ["pip-unpinned"]


def test_args_pinned_and_unknown():
    assert arg_kinds(["pip", "install", "pandas==2.2.2"]) == []
    assert arg_kinds(["pip", "install", object()]) == []
    assert arg_kinds(["pip", "install", "pandas>=2,<3"]) == ["pip-unpinned"]
    assert arg_kinds(["curl -fsSL https://get.docker.com | bash"]) == ["pipe-to-shell"]
    assert arg_kinds(["pip", "install", "-r", "s3://bucket/requirements.txt"]) == []


def test_args_requirements_file_in_tree():
    assert arg_kinds(["pip", "install", "-r", "reqs.txt"], files={"reqs.txt": "pandas\n"}) == [
        "pip-requirements-unpinned"]


@pytest.mark.parametrize("script", [
    "s3://bucket/bootstrap/install-python-libs.sh", "pip_packages.sh", "INSTALL.sh", "requirements.sh",
    "setup-libs.sh", "s3://b/lib.sh", "bootstrap-pip3.sh", "installPythonLibs.sh", "emr_package.sh",
])
def test_install_script_args_unpinned(script):
    found = analyze_args(["numpy", "pandas>=2", "scikit-learn~=1.3", "requests==2.31.0"], script)
    assert [o.kind for o in found] == ["install-script-args-unpinned"]
    assert detail(found[0]).startswith("passes numpy, pandas>=2, scikit-learn~=1.3 to the install script")
    assert (found[0].line, found[0].column) == (0, 0)


def test_install_script_args_skip_flags_values_and_settings():
    args = ["--region", "us-east-1", "-v", "--env=prod", "--bucket", "my-bucket", "instance.isMaster=true",
            "s3://bucket/wheels/", "/opt/libs", "true", "False", "42", "3.11", "us-west-2", "eu-central-1",
            "pandas==2.2.2", object(), "${var.pkg}"]
    assert arg_kinds(args, "install-libs.sh") == []


@pytest.mark.parametrize("script", [
    "s3://bucket/configure-spark.sh", "", "setup-pipeline.sh", "uninstall.sh", "calibrate.sh", "library-sync.sh",
    "s3://bucket/install-dir/run.sh",
])
def test_install_script_args_only_for_install_scripts(script):
    assert arg_kinds(["numpy"], script) == []


def test_install_script_args_space_separated_list():
    found = analyze_args(["numpy pandas==2.2.2 scipy"], "install_packages.sh")
    assert [o.kind for o in found] == ["install-script-args-unpinned"]
    assert "numpy, scipy" in found[0].message


def test_install_script_args_not_reported_twice_when_args_are_a_command():
    assert arg_kinds(["pip", "install", "pandas"], "install-libs.sh") == ["pip-unpinned"]


# --------------------------------------------------------------------------- http urls


@pytest.mark.parametrize("path, expected", [
    ("http://example.com/bootstrap.sh", True),
    ("HTTPS://example.com/bootstrap.sh", True),
    ("  https://example.com/x.sh", True),
    ("s3://bucket/bootstrap.sh", False),
    ("file:///tmp/x.sh", False),
    ("/usr/bin/bootstrap.sh", False),
    ("", False),
])
def test_is_http_url(path, expected):
    assert is_http_url(path) is expected


# --- regressions found by the EMR202 fixtures -------------------------------------------------


def test_install_script_args_that_are_program_names_are_package_specs():
    kinds = [o.kind for o in analyze_args(["pip", "setuptools", "wheel", "spacy"], "s3://b/install-python-libs.sh")]
    assert kinds == ["install-script-args-unpinned"]
    assert [o.kind for o in analyze_args(["jq", "git"], "s3://b/install-packages.sh")] == ["install-script-args-unpinned"]


def test_install_script_args_accept_os_conda_and_npm_pins():
    assert analyze_args(["htop-2.2.0", "jq-1.6", "numpy=1.26.4", "yarn@1.22.22"], "s3://b/install-os-packages.sh") == []


def test_a_checkout_pins_only_its_own_clone():
    script = """#!/bin/bash
git clone https://github.com/acme/jobs-common.git /opt/jobs-common
git clone https://github.com/acme/tools.git /opt/tools
cd /opt/tools && git checkout 4f1c2a9
"""
    offences = analyze_script(script)
    assert [(o.kind, o.line) for o in offences] == [("git-clone-unpinned", 2)]


def test_a_checkout_of_a_branch_name_is_no_pin():
    script = "git clone https://github.com/acme/tools.git\ngit -C tools checkout main\n"
    assert [o.kind for o in analyze_script(script)] == ["git-clone-unpinned"]
    assert analyze_script("git clone https://github.com/acme/tools.git\ngit -C tools checkout v1.4.2\n") == []
