# Homebrew formula template; the release job fills in @VERSION@, @REPO@ and the @SHA256_…@
# checksums (scripts/render-packaging.sh) and attaches the result to the release as halo-connect.rb.
# release.yml's tap job commits that file to the tap (OWNER/homebrew-tap: Formula/halo-connect.rb,
# docs/releasing.md), so that
#   brew install OWNER/tap/halo-connect
class HaloConnect < Formula
  desc "Connect HaloPSA to an integration: guided setup, Save and Test, CI smoke checks"
  homepage "https://github.com/@REPO@"
  version "@VERSION@"
  license "MIT"

  on_macos do
    on_arm do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/halo-connect-aarch64-apple-darwin.tar.gz"
      sha256 "@SHA256_aarch64-apple-darwin@"
    end
    on_intel do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/halo-connect-x86_64-apple-darwin.tar.gz"
      sha256 "@SHA256_x86_64-apple-darwin@"
    end
  end

  on_linux do
    on_arm do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/halo-connect-aarch64-unknown-linux-musl.tar.gz"
      sha256 "@SHA256_aarch64-unknown-linux-musl@"
    end
    on_intel do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/halo-connect-x86_64-unknown-linux-musl.tar.gz"
      sha256 "@SHA256_x86_64-unknown-linux-musl@"
    end
  end

  def install
    bin.install "halo-connect"
    man1.install Dir["man/*.1"]
    bash_completion.install "completions/halo-connect.bash" => "halo-connect"
    zsh_completion.install "completions/_halo-connect"
    fish_completion.install "completions/halo-connect.fish"
  end

  test do
    assert_match "halo-connect #{version}", shell_output("#{bin}/halo-connect --version")
    system bin/"halo-connect", "test", "--sandbox"
  end
end
