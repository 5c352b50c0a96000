using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace CityNode.Tests.Gate;

/// <summary>
/// The two device images reference the nanoFramework packages through one file (firmware/CityNode.Esp32/Packages.props),
/// which must name every package of packages.config at its version: the loader image deploys exactly these
/// assemblies, and a release's CityNode.Esp32.pe resolves against them (docs/ota.md, two ways to deploy).
/// </summary>
public class DevicePackagesTests
{
    [Fact]
    public void Every_package_of_packages_config_is_referenced_at_its_version_by_both_images()
    {
        var packages = XDocument.Load(Path.Combine(Paths.Root, "firmware", "CityNode.Esp32", "packages.config")).Root!
            .Elements("package").Select(p => $"{p.Attribute("id")!.Value}.{p.Attribute("version")!.Value}").ToList();
        string props = File.ReadAllText(Path.Combine(Paths.Root, "firmware", "CityNode.Esp32", "Packages.props"));
        var referenced = Regex.Matches(props, @"packages\\([^\\]+)\\lib\\").Select(m => m.Groups[1].Value).Distinct().ToList(); // M2Mqtt has two assemblies
        Assert.Equal(packages.Order(), referenced.Order());
        foreach (string project in new[] { "CityNode.Esp32/CityNode.Esp32.nfproj", "CityNode.Loader/CityNode.Loader.nfproj" })
        {
            string text = File.ReadAllText(Path.Combine(Paths.Root, "firmware", project));
            Assert.Matches(@"<Import Project=""(\.\.\\CityNode\.Esp32\\)?Packages\.props"" />", text);
        }
    }
}
