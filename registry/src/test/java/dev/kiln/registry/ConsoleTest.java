package dev.kiln.registry;

import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.rejected;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser (Debian's headless Chromium, driven through its chromium-driver): a release's journey
 * appears as it happens, without a reload; a rejected format shows its findings; promote and revoke work with the
 * write token, are refused without it, and the token is kept nowhere. Screenshots: target/console-screenshots.
 */
@QuarkusTest
@TestProfile(RegistryTest.WithWriteToken.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class ConsoleTest {
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @io.quarkus.test.common.http.TestHTTPResource("/console/")
    java.net.URL console;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void browser() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // a live redraw replaced what was found
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void screenshot(String name) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private void open(String hash) {
        browser.get(console + "#" + hash);
        wait.until(d -> !d.findElement(By.id("view")).getText().startsWith("Loading"));
    }

    @Test
    void aReleaseIsFollowedLiveAndItsFindingsShown() throws Exception {
        Release release = release("debian-console", "1.0.0");
        send(tagged(release), built(release, "qcow2", 'a'), built(release, "raw", 'a'));
        open("/images/debian-console/1.0.0");
        wait.until(d -> d.findElements(By.cssSelector("tr[data-format='raw']")).size() == 1);
        wait.until(d -> "live".equals(d.findElement(By.id("live")).getText()));
        assertEquals("verifying", text("#version-state"));
        ((JavascriptExecutor) browser).executeScript("window.kilnSamePage = true;");
        screenshot("1-building");

        // A report location an event could carry to run script in the page: shown as no link at all.
        dev.kiln.events.ImageRejected hostile = rejected(release, "raw", 'a');
        send(verified(release, "qcow2", 'a'), new dev.kiln.events.ImageRejected(hostile.release(), hostile.format(), hostile.sha256(),
                "javascript:alert(document.domain)", hostile.findings()));

        // The last change of this release is the publication; once the page shows it, nothing redraws it again.
        wait.until(d -> "published".equals(d.findElement(By.id("version-state")).getText())
                && d.findElement(By.cssSelector("tr[data-format='qcow2']")).getText().contains("published")
                && d.findElement(By.cssSelector("tr[data-format='raw']")).getText().contains("rejected"));
        Thread.sleep(1500);
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.kilnSamePage === true;"), "updated live, not reloaded");
        WebElement qcow2 = browser.findElement(By.cssSelector("tr[data-format='qcow2']"));
        for (String step : new String[] {"tagged", "built", "verified", "published"}) {
            assertEquals(1, qcow2.findElements(By.cssSelector("ol.timeline li[data-step='" + step + "']")).size(), step + " in " + qcow2.getText());
        }
        WebElement raw = browser.findElement(By.cssSelector("tr[data-format='raw']"));
        assertTrue(raw.findElement(By.cssSelector("ul.findings")).getText().contains("ssh-hostkeys /etc/ssh/ssh_host_rsa_key"), raw.getText());
        assertTrue(raw.getText().contains("SSH host key shipped in the image"), raw.getText());
        assertEquals(0, browser.findElements(By.cssSelector("a[href^='javascript']")).size(), "no script link from an event");
        assertTrue(qcow2.getText().contains("a".repeat(64)), "the digest is shown");
        assertFalse(browser.findElement(By.id("view")).getText().lines().anyMatch(line -> line.strip().equals("null")), "no absent part shows as 'null'");
        screenshot("2-published-and-rejected");

        browser.manage().window().setSize(new Dimension(375, 800));
        assertEquals("none", browser.findElement(By.cssSelector("table.formats thead")).getCssValue("display"), "a narrow screen stacks the table");
        screenshot("3-narrow");
    }

    @Test
    void theRegistrysAddressLeadsToTheConsole() {
        io.restassured.RestAssured.given().redirects().follow(false).get("/").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/console/"));
    }

    @Test
    void promoteAndRevokeNeedTheTokenWhichIsKeptNowhere() throws Exception {
        Release release = release("debian-console-ops", "2.0.0");
        send(tagged(release), built(release, "qcow2", 'c'), verified(release, "qcow2", 'c'));
        open("/images/debian-console-ops");
        wait.until(d -> d.findElements(By.cssSelector("#promote-version option")).size() == 1);

        promote("production", "wrong-token");
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Not promoted"));
        assertTrue(text("#status").contains("(401)"), text("#status"));
        assertTrue(browser.findElement(By.id("view")).getText().contains("No channel yet."));

        promote("production", RegistryTest.TOKEN);
        wait.until(d -> d.findElement(By.id("status")).getText().equals("Channel production now points at 2.0.0."));
        wait.until(d -> d.findElement(By.id("view")).getText().contains("production"));
        screenshot("4-promoted");
        String page = browser.getPageSource();
        JavascriptExecutor js = browser;
        assertFalse(page.contains(RegistryTest.TOKEN), "the token is not in the page");
        assertEquals(0L, js.executeScript("return localStorage.length + sessionStorage.length;"));
        assertEquals("", browser.findElement(By.id("promote-token")).getAttribute("value"));

        open("/images/debian-console-ops/2.0.0");
        wait.until(d -> d.findElements(By.id("revoke-reason")).size() == 1);
        revoke("CVE-2026-0003 in zlib", "wrong-token");
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Not revoked"));
        assertEquals("published", text("#version-state"));
        revoke("CVE-2026-0003 in zlib", RegistryTest.TOKEN);
        wait.until(d -> "revoked".equals(d.findElement(By.id("version-state")).getText()));
        assertTrue(browser.findElement(By.id("view")).getText().contains("CVE-2026-0003 in zlib"));
        screenshot("5-revoked");

        Object unlabelled = js.executeScript("return [...document.querySelectorAll('input, select')].filter(e => !e.labels || e.labels.length === 0).length;");
        assertEquals(0L, unlabelled, "every field has a label");
    }

    private void promote(String channel, String token) {
        WebElement field = browser.findElement(By.id("promote-channel"));
        field.clear();
        field.sendKeys(channel);
        new Select(browser.findElement(By.id("promote-version"))).selectByIndex(0);
        browser.findElement(By.id("promote-token")).sendKeys(token);
        browser.findElement(By.cssSelector("#promote button")).click();
    }

    private void revoke(String reason, String token) {
        WebElement field = browser.findElement(By.id("revoke-reason"));
        field.clear();
        field.sendKeys(reason);
        browser.findElement(By.id("revoke-token")).sendKeys(token);
        browser.findElement(By.cssSelector("#revoke button")).click();
    }
}
