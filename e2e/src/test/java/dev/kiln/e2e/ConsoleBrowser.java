package dev.kiln.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry's console in Debian's headless Chromium, left open on one release while the pipeline runs it: what a
 * person watching the page would have seen, sampled whenever the test looks (each format's state, in order).
 */
final class ConsoleBrowser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private final ChromeDriver browser;
    /** Each format's states in the order the page showed them. */
    private final Map<String, Set<String>> seen = new LinkedHashMap<>();
    private final List<String> versionStates = new ArrayList<>();

    ConsoleBrowser(String url) throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1200");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
        browser.get(url);
        // Marks this page: a reload would lose it, so its presence at the end proves the page updated itself.
        ((JavascriptExecutor) browser).executeScript("window.kilnSamePage = true;");
        Files.createDirectories(SCREENSHOTS);
    }

    /** What the page shows now, noted. */
    void look() {
        try {
            for (WebElement row : browser.findElements(By.cssSelector("tr[data-format]"))) {
                String state = row.findElement(By.cssSelector(".state")).getText();
                seen.computeIfAbsent(row.getAttribute("data-format"), f -> new LinkedHashSet<>()).add(state);
            }
            List<WebElement> version = browser.findElements(By.id("version-state"));
            if (!version.isEmpty() && (versionStates.isEmpty() || !versionStates.get(versionStates.size() - 1).equals(version.get(0).getText()))) {
                versionStates.add(version.get(0).getText());
            }
        } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
            // a live redraw replaced the rows while they were read: the next look sees the new ones
        }
    }

    Map<String, Set<String>> seen() {
        return seen;
    }

    List<String> versionStates() {
        return versionStates;
    }

    boolean samePage() {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript("return window.kilnSamePage === true;"));
    }

    WebElement row(String format) {
        return browser.findElement(By.cssSelector("tr[data-format='" + format + "']"));
    }

    String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    void screenshot(String name) throws Exception {
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        browser.quit();
    }
}
