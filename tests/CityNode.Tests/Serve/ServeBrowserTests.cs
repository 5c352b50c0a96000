using System.Globalization;
using System.Net;
using CityNode.Host.Stores;
using CityNode.Serve;
using CityNode.Testing.Servers;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace CityNode.Tests.Serve;

/// <summary>
/// <c>citynode serve</c> in a real headless Chromium (Debian's <c>chromium</c> and <c>chromium-driver</c>,
/// driven by Selenium WebDriver): the map, a node's page with its chart and values, its CSV download
/// checked against the database, and the fleet page refused without the token and shown with it.
/// Set CITYNODE_SCREENSHOTS=DIR to save the README's screenshots there.
/// </summary>
public sealed class ServeBrowserTests(ServeCity city) : IClassFixture<ServeCity>
{
    private static ChromeDriver Browser(string downloads)
    {
        string chromium, driver;
        try
        {
            // Installed like the other server binaries when this process may (root or sudo), else a failure that says how.
            chromium = ServerBinaries.Find("chromium", "chromium", "/usr/bin/chromium");
            driver = ServerBinaries.Find("chromedriver", "chromium-driver", "/usr/bin/chromedriver");
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"the browser test needs Debian's Chromium and its driver: as root, apt-get install -y chromium chromium-driver ({e.Message})");
            throw;
        }

        var o = new ChromeOptions { BinaryLocation = chromium };
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        o.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1300", "--lang=en");
        o.AddUserProfilePreference("download.default_directory", downloads);
        o.AddUserProfilePreference("download.prompt_for_download", false);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, o, TimeSpan.FromSeconds(60));
    }

    private static void Shot(WebDriver browser, string name)
    {
        if (Environment.GetEnvironmentVariable("CITYNODE_SCREENSHOTS") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(dir, name));
        }
    }

    private static void Ready(WebDriver browser, string page)
    {
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(d =>
        {
            var body = d.FindElement(By.TagName("body"));
            string? error = body.GetAttribute("data-error");
            Assert.True(string.IsNullOrEmpty(error), $"page script failed: {error}");
            return body.GetAttribute("data-ready") == page;
        });
    }

    [Fact]
    public async Task Map_node_page_chart_csv_and_fleet_in_a_real_browser()
    {
        await using var host = await ServeHost.StartAsync(city.Options());
        string downloads = Path.Combine(city.Dir, "downloads");
        Directory.CreateDirectory(downloads);
        using var browser = Browser(downloads);

        // The map: one marker per located node, drawn without any tile server.
        browser.Navigate().GoToUrl(new Uri(host.Url, "/"));
        Ready(browser, "map");
        Assert.Equal(4, browser.FindElements(By.CssSelector("circle.node")).Count);
        Assert.Contains("poor", browser.FindElement(By.Id("node-" + ServeCity.LowBatteryNode)).GetAttribute("class"));
        Shot(browser, "map.png");

        // Click node 2 (the river): its page with values and a chart.
        browser.FindElement(By.Id("node-2")).Click();
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(d => d.Url.EndsWith("/nodes/2", StringComparison.Ordinal));
        Ready(browser, "node");
        Assert.Equal("River Don at Bridge of Don", browser.FindElement(By.Id("title")).Text);
        using var store = new SqliteStore(city.Db);
        var stored = store.Readings(2).ToList();
        long last = stored.Max(r => r.Time);
        foreach (var r in stored.Where(r => r.Time == last && r.Value is not null))
        {
            string cell = browser.FindElement(By.CssSelector($"#latest tr[data-channel='{r.Channel}'] td.value")).Text;
            Assert.StartsWith(CityNode.Host.Receiving.Reading.Format(r.Value!.Value) + " ", cell);
        }

        Assert.Contains("Directive 2006/44/EC", browser.FindElement(By.Id("meanings")).Text);
        Assert.Contains("Data licence", browser.FindElement(By.Id("licence")).Text);
        var chart = browser.FindElement(By.Id("chart"));
        Assert.True(int.Parse(chart.GetAttribute("data-points")!, CultureInfo.InvariantCulture) > 10);
        Assert.NotEmpty(chart.FindElements(By.CssSelector("polyline.line")));
        Shot(browser, "node.png");

        // Choose dissolved oxygen over 7 days, then download what the chart covers.
        browser.FindElement(By.CssSelector("#channel option[value='dissolved_oxygen']")).Click();
        browser.FindElement(By.CssSelector("#ranges button[data-range='7d']")).Click();
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(d => d.FindElement(By.Id("csv")).GetAttribute("href")!.Contains("channel=dissolved_oxygen", StringComparison.Ordinal)
            && d.FindElement(By.Id("chart-note")).Text.Contains("Dissolved oxygen", StringComparison.Ordinal));
        browser.FindElement(By.Id("csv")).Click();
        string? file = null;
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(_ =>
            (file = Directory.GetFiles(downloads, "*.csv").FirstOrDefault(f => new FileInfo(f).Length > 0)) is not null);
        var rows = File.ReadAllLines(file!).Skip(1).Select(l => l.Split(',')).ToList();
        var expected = stored.Where(r => r.Channel == "dissolved_oxygen" && r.Time >= last - (7 * 86400)).ToList();
        Assert.Equal(expected.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Time.ToString(CultureInfo.InvariantCulture), rows[i][1]);
            Assert.Equal(expected[i].Value is decimal v ? CityNode.Host.Receiving.Reading.Format(v) : "", rows[i][5]);
        }

        // The fleet: refused without the token (401, a login form, no table), shown with it.
        using (var http = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(host.Url, "/fleet"))).StatusCode);
        }

        browser.Navigate().GoToUrl(new Uri(host.Url, "/fleet"));
        Assert.Empty(browser.FindElements(By.Id("fleet")));
        browser.FindElement(By.Id("token")).SendKeys("not-the-token-at-all");
        browser.FindElement(By.Id("login")).Click();
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(d => d.FindElements(By.Id("login-problem")).Count > 0); // the form's answer page has loaded
        Assert.Empty(browser.FindElements(By.Id("fleet")));
        browser.FindElement(By.Id("token")).SendKeys(ServeCity.Token);
        browser.FindElement(By.Id("login")).Click();
        var table = new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(d => d.FindElements(By.Id("fleet")).FirstOrDefault());
        Assert.Equal(4, table.FindElements(By.CssSelector("tbody tr")).Count);
        var low = table.FindElement(By.CssSelector($"tr[data-node='{ServeCity.LowBatteryNode}']"));
        Assert.Contains("low battery", low.FindElement(By.CssSelector("td.state")).Text);
        Assert.Equal(ServeCity.LowBatteryMv.ToString(CultureInfo.InvariantCulture), low.FindElement(By.CssSelector("td.battery")).Text);
        Assert.Single(table.FindElements(By.CssSelector("tr.low-battery")));
        Assert.DoesNotContain(ServeCity.Token, browser.PageSource);

        // Sortable: battery ascending puts the low node first.
        table.FindElements(By.TagName("th")).Single(th => th.Text == "battery mV").Click();
        Assert.Equal(ServeCity.LowBatteryNode.ToString(CultureInfo.InvariantCulture), table.FindElement(By.CssSelector("tbody tr")).GetAttribute("data-node"));
        Shot(browser, "fleet.png");
    }
}
