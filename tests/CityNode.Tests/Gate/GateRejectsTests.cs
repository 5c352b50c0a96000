using System.Diagnostics;
using Xunit;

namespace CityNode.Tests.Gate;

/// <summary>
/// Proves the compile gate is a gate: the real CityNode.Core.Nano project, copied with the
/// sources and the repository's build settings into a temporary tree, builds as is and fails once a
/// file using an API nanoFramework lacks is added.
/// </summary>
public class GateRejectsTests
{
    [Theory]
    [InlineData("using System.Collections.Generic; namespace CityNode { public static class Probe { public static int N() { var l = new List<int>(); l.Add(1); return l.Count; } } }", "CS0234")]
    [InlineData("namespace CityNode { public static class Probe { public static double N(double x) { return System.Math.Sqrt(x); } } }", "CS0234")]
    [InlineData("namespace CityNode { public static class Probe { public static string N() { return new System.Text.StringBuilder().ToString(); } } }", "CS0234")]
    public void Gate_fails_on_an_api_the_device_lacks(string probe, string expectedError)
    {
        string tree = CopyGateTree();
        try
        {
            var (ok, _) = Build(tree);
            Assert.True(ok, "the unmodified gate should build");

            File.WriteAllText(Path.Combine(tree, "firmware", "CityNode.Core", "Probe.cs"), probe);
            var (failed, output) = Build(tree);
            Assert.False(failed, "the gate accepted code the device cannot run");
            Assert.Contains(expectedError, output);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    private static string CopyGateTree()
    {
        string tree = Path.Combine(Path.GetTempPath(), "citynode-gate-" + Guid.NewGuid().ToString("N"));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "nuget.config", "global.json" })
        {
            Directory.CreateDirectory(tree);
            File.Copy(Path.Combine(Paths.Root, file), Path.Combine(tree, file));
        }

        foreach (var project in new[] { "CityNode.Core", "CityNode.Core.Nano" })
        {
            string from = Path.Combine(Paths.Root, "firmware", project);
            foreach (var src in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(from, src);
                if (rel.StartsWith("bin") || rel.StartsWith("obj"))
                {
                    continue;
                }

                string dst = Path.Combine(tree, "firmware", project, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
                File.Copy(src, dst);
            }
        }

        return tree;
    }

    private static (bool Ok, string Output) Build(string tree)
    {
        var psi = new ProcessStartInfo("dotnet", "build firmware/CityNode.Core.Nano/CityNode.Core.Nano.csproj -nologo -v q")
        {
            WorkingDirectory = tree,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode == 0, output);
    }
}
