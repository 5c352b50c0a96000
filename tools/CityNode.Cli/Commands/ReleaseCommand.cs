using System.CommandLine;
using CityNode.Host.Ota;
using CityNode.Ota;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode release</c>: packs a build's files into a release (docs/ota.md).</summary>
internal static class ReleaseCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "build output folder: the application's .pe files (a flat folder)", Required = true };
        var version = new Option<string>("--version") { Description = "the release's version, major.minor.patch (e.g. 1.4.0)", Required = true };
        var counter = new Option<string>("--counter") { Description = "anti-rollback counter, 1 to 4294967295: one more than the fleet's last release (nodes refuse a lower one)", Required = true };
        var output = new Option<string>("--out") { Description = "the release file to write", Required = true };
        var key = new Option<string?>("--key") { Description = "an OTA key file (64 hex digits): sign the manifest with it for any node holding that key; without it the manifest is unsigned and `ota` signs it per node" };
        var minLoader = new Option<string>("--min-loader") { Description = "the oldest loader version that can run this release", DefaultValueFactory = _ => "1.0.0" };
        var force = new Option<bool>("--force") { Description = "replace --out when it exists" };
        var command = new Command("release", "Pack a build's files into a release: manifest (version, counter, files, SHA-256 per file and chunk) and the chunks")
        {
            from, version, counter, output, key, minLoader, force,
        };
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            Release release;
            byte[] file;
            try
            {
                uint v = Release.ParseVersion(parse.GetValue(version)!, "--version");
                uint loader = Release.ParseVersion(parse.GetValue(minLoader)!, "--min-loader");
                string counterText = parse.GetValue(counter)!;
                if (!uint.TryParse(counterText, System.Globalization.NumberStyles.None, null, out uint n))
                {
                    throw new ReleaseException($"--counter '{counterText}': a number from 1 to 4294967295, one more than the fleet's last release");
                }

                if (File.Exists(outPath) && !parse.GetValue(force))
                {
                    throw new ReleaseException($"--out {outPath}: the file exists; add --force to replace it or choose another name");
                }

                byte[]? k = parse.GetValue(key) is { } keyPath ? Release.ReadKey(keyPath) : null;
                release = Release.Pack(parse.GetValue(from)!, v, n, loader);
                if (k is not null)
                {
                    release = release.Signed(k);
                }

                file = release.ToFile();
            }
            catch (ReleaseException e)
            {
                Console.Error.WriteLine("release: " + e.Message);
                return 1;
            }

            try
            {
                File.WriteAllBytes(outPath, file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"release: --out {outPath}: cannot write there ({e.Message}); choose a folder you may write");
                return 1;
            }

            Console.WriteLine($"release {OtaVersion.Format(release.Version)} counter {release.Counter}: {release.Files.Count} files, {release.TotalBytes:N0} bytes, {release.ChunkCount} chunks of {Release.ChunkSize} B, manifest {release.Template.Length} B ({(release.IsSigned ? "signed, any node holding the key" : "unsigned: `ota` signs it per node")}) → {outPath}");
            foreach (var f in release.Files)
            {
                Console.WriteLine($"  {f.Name,-32} {f.Bytes.Length,10:N0} B  sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f.Bytes))}");
            }

            return 0;
        });
        return command;
    }
}
