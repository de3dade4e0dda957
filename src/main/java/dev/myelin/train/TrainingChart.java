package dev.myelin.train;

import com.google.gson.JsonObject;
import dev.myelin.checkpoint.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code training.png}: training loss and test accuracy per epoch, drawn with XChart, without a display. */
public final class TrainingChart {
    public static final String FILE = "training.png";

    private TrainingChart() {
    }

    /** Draws the rows of a {@link MetricsLog} to {@code png}, atomically. */
    public static void write(Path png, List<JsonObject> rows, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double[] epochs = new double[rows.size()];
        double[] loss = new double[rows.size()];
        double[] accuracy = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            epochs[i] = rows.get(i).get("epoch").getAsDouble();
            loss[i] = rows.get(i).get("loss").getAsDouble();
            accuracy[i] = 100 * rows.get(i).get("accuracy").getAsDouble();
        }
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title)
                .xAxisTitle("epoch").yAxisTitle("training loss").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(0, "training loss");
        chart.setYAxisGroupTitle(1, "test accuracy (%)");
        XYSeries lossSeries = chart.addSeries("training loss", epochs, loss);
        lossSeries.setMarker(SeriesMarkers.CIRCLE);
        lossSeries.setLineColor(new Color(0x1f77b4));
        lossSeries.setMarkerColor(new Color(0x1f77b4));
        XYSeries accuracySeries = chart.addSeries("test accuracy (%)", epochs, accuracy);
        accuracySeries.setYAxisGroup(1);
        accuracySeries.setMarker(SeriesMarkers.DIAMOND);
        accuracySeries.setLineColor(new Color(0xd62728));
        accuracySeries.setMarkerColor(new Color(0xd62728));
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
