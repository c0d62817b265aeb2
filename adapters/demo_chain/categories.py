"""The twelve categories of the demo chain: what they sell, at what margin, and when.

Names are composed from brand x item x flavour x size, so a category can yield
hundreds of plausible SKUs; `imported` lists English-named goods that carry
foreign barcodes; in those, the brand is the text before "·", else the first word.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Category:
    name: str
    season: str  # profile understood by seasons.category_season
    amplitude: float
    sku_share: float  # share of the assortment
    traffic_share: float  # share of sales lines over a year
    price: tuple[float, float]  # typical shelf price range, yuan
    margin: tuple[float, float]
    packs: tuple[int, ...]  # case sizes the supplier ships
    multi_buy: bool  # bought several at a time (drinks)
    brands: tuple[str, ...]
    items: tuple[str, ...]
    flavours: tuple[str, ...]
    sizes: tuple[str, ...]
    imported: tuple[str, ...] = ()
    item_sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # items that only come in some sizes


CATEGORIES: tuple[Category, ...] = (
    Category(
        name="饮料", season="summer", amplitude=0.5, sku_share=0.14, traffic_share=0.20,
        price=(2.5, 12.0), margin=(0.25, 0.35), packs=(12, 24), multi_buy=True,
        brands=("农夫山泉", "康师傅", "统一", "元气森林", "怡宝", "王老吉", "娃哈哈", "百岁山", "东方树叶", "维他", "三得利", "加多宝"),
        items=("矿泉水", "绿茶", "冰红茶", "苏打气泡水", "橙汁", "凉茶", "乌龙茶", "柠檬茶", "电解质水", "酸梅汤"),
        flavours=("", "无糖", "青柠味", "白桃味", "蜜桃味"),
        sizes=("330ml", "500ml", "550ml", "1L", "1.5L"),
        imported=("Coca-Cola 330ml", "Coca-Cola Zero 330ml", "Coca-Cola 500ml", "Sprite 330ml", "Sprite 500ml",
                  "Fanta Orange 330ml", "Pepsi 330ml", "Pepsi Max 500ml", "Red Bull 250ml", "Evian 500ml",
                  "Perrier 330ml", "San Pellegrino·Sparkling 500ml", "Schweppes Tonic 330ml", "Gatorade Lemon 600ml"),
    ),
    Category(
        name="冰淇淋", season="summer", amplitude=0.9, sku_share=0.06, traffic_share=0.07,
        price=(3.0, 35.0), margin=(0.35, 0.45), packs=(12, 24), multi_buy=True,
        brands=("伊利", "蒙牛", "和路雪", "钟薛高", "光明", "八喜", "雀巢", "五羊"),
        items=("巧乐兹", "随变", "冰工厂", "雪糕", "甜筒", "冰棍", "杯装冰淇淋", "家庭装冰淇淋"),
        flavours=("", "香草味", "巧克力味", "绿豆味", "芒果味", "草莓味"),
        sizes=("65g", "75g", "90g", "300g"),
        imported=("Haagen-Dazs Vanilla 100ml", "Haagen-Dazs Strawberry 100ml", "Magnum Classic 80g",
                  "Ben & Jerry's·Cookie Dough 473ml", "Cornetto Classic 90ml"),
    ),
    Category(
        name="火锅食材", season="winter", amplitude=0.6, sku_share=0.07, traffic_share=0.05,
        price=(6.0, 45.0), margin=(0.25, 0.35), packs=(6, 12, 24), multi_buy=False,
        brands=("海底捞", "小肥羊", "安井", "三全", "思念", "德庄", "桥头", "小龙坎", "海欣"),
        items=("火锅底料", "牛肉丸", "鱼丸", "蟹棒", "虾滑", "午餐肉", "肥牛卷", "蘸料", "宽粉", "鱼豆腐"),
        flavours=("", "麻辣", "番茄", "清汤", "菌汤"),
        sizes=("150g", "200g", "250g", "400g", "500g"),
    ),
    Category(
        name="热饮冲调", season="winter", amplitude=0.45, sku_share=0.07, traffic_share=0.06,
        price=(8.0, 70.0), margin=(0.30, 0.40), packs=(6, 12, 24), multi_buy=False,
        brands=("雀巢", "香飘飘", "立顿", "麦斯威尔", "优乐美", "南方", "西麦", "桂格", "永和", "隅田川"),
        items=("速溶咖啡", "奶茶", "红茶包", "黑芝麻糊", "燕麦片", "豆浆粉", "挂耳咖啡", "蜂蜜柚子茶", "热可可"),
        flavours=("", "原味", "香芋味", "低糖", "红枣味"),
        sizes=("10条装", "20条装", "400g", "500g", "1kg"),
        imported=("Nescafe Gold 100g", "Nescafe Classic 200g", "Lipton Yellow Label 100 bags",
                  "Twinings English Breakfast 50 bags", "Ovaltine 400g", "Quaker Instant Oats 1kg"),
    ),
    Category(
        name="酒类", season="festive", amplitude=2.0, sku_share=0.07, traffic_share=0.04,
        price=(15.0, 600.0), margin=(0.30, 0.40), packs=(6, 12), multi_buy=False,
        brands=("茅台", "五粮液", "洋河", "泸州老窖", "汾酒", "郎酒", "古越龙山", "张裕", "长城", "剑南春", "牛栏山"),
        items=("白酒", "黄酒", "干红葡萄酒", "干白葡萄酒", "二锅头", "米酒"),
        flavours=("", "浓香型", "酱香型", "清香型", "珍藏"),
        sizes=("125ml", "250ml", "500ml", "750ml"),
        imported=("Johnnie Walker·Red Label 700ml", "Jack Daniel's·Old No.7 700ml", "Absolut Vodka 700ml",
                  "Penfolds Koonunga Hill 750ml", "Jacob's Creek·Shiraz 750ml", "Hennessy VS 700ml"),
    ),
    Category(
        name="礼盒", season="festive", amplitude=3.0, sku_share=0.05, traffic_share=0.03,
        price=(49.0, 398.0), margin=(0.35, 0.45), packs=(6,), multi_buy=False,
        brands=("良品铺子", "三只松鼠", "百草味", "稻香村", "来伊份", "好想你", "沃隆", "洽洽"),
        items=("坚果礼盒", "零食大礼包", "干果年货礼盒", "红枣礼盒", "糕点礼盒", "茶叶礼盒"),
        flavours=("", "福运", "团圆", "臻选", "至尊"),
        sizes=("1kg", "1.5kg", "2kg", "2.5kg"),
        imported=("Ferrero Rocher·Gift Box 24pcs", "Lindt·Lindor Gift Box 200g", "Godiva·Gold Collection 12pcs"),
    ),
    Category(
        name="月饼", season="mooncake", amplitude=20.0, sku_share=0.03, traffic_share=0.012,
        price=(8.0, 288.0), margin=(0.40, 0.50), packs=(6, 12), multi_buy=False,
        brands=("广州酒家", "稻香村", "美心", "华美", "杏花楼", "元祖", "利口福", "荣华"),
        items=("广式月饼", "苏式月饼", "冰皮月饼", "流心月饼", "月饼礼盒"),
        flavours=("莲蓉蛋黄", "五仁", "豆沙", "奶黄流心", "火腿", "水果"),
        sizes=("单个装", "4粒装", "6粒装", "8粒礼盒"),
    ),
    Category(
        name="休闲零食", season="steady", amplitude=0.0, sku_share=0.16, traffic_share=0.188,
        price=(3.0, 35.0), margin=(0.30, 0.40), packs=(12, 24), multi_buy=False,
        brands=("良品铺子", "三只松鼠", "旺旺", "卫龙", "洽洽", "徐福记", "达利园", "盼盼", "上好佳", "好丽友", "口水娃"),
        items=("薯片", "瓜子", "辣条", "饼干", "坚果", "牛肉干", "果冻", "糖果", "蛋黄派", "海苔", "鸭脖", "米饼"),
        flavours=("", "原味", "香辣味", "番茄味", "黄瓜味", "焦糖味", "海盐味"),
        sizes=("35g", "70g", "108g", "150g", "250g"),
        imported=("Lay's Classic 70g", "Lay's Sour Cream & Onion 70g", "Pringles Original 110g", "Oreo Original 97g",
                  "Kit Kat·4 Finger 41.5g", "M&M's Peanut 40g", "Snickers 51g", "Doritos Nacho Cheese 68g",
                  "Toblerone 100g", "Pocky Chocolate 55g", "Kinder Bueno 43g", "Twix 50g"),
    ),
    Category(
        name="方便速食", season="steady", amplitude=0.0, sku_share=0.09, traffic_share=0.08,
        price=(3.5, 25.0), margin=(0.20, 0.30), packs=(12, 24), multi_buy=False,
        brands=("康师傅", "统一", "今麦郎", "白象", "日清", "农心", "汤达人", "李子柒", "好欢螺", "自嗨锅"),
        items=("方便面", "桶面", "螺蛳粉", "自热火锅", "酸辣粉", "拌面", "米线", "速冻水饺", "速冻汤圆"),
        flavours=("", "红烧牛肉", "老坛酸菜", "鲜虾", "香辣", "番茄"),
        sizes=("单包", "5连包", "桶装", "400g", "1kg"),
        imported=("Nongshim·Shin Ramyun 120g", "Nissin·Cup Noodles Seafood 75g", "Samyang·Buldak Hot Chicken 140g"),
        item_sizes={"方便面": ("单包", "5连包"), "桶面": ("桶装",), "速冻水饺": ("500g", "1kg"), "速冻汤圆": ("400g", "1kg"),
                    "螺蛳粉": ("330g", "3袋装"), "自热火锅": ("400g",)},
    ),
    Category(
        name="乳制品", season="steady", amplitude=0.0, sku_share=0.08, traffic_share=0.12,
        price=(3.0, 80.0), margin=(0.18, 0.25), packs=(12, 24), multi_buy=True,
        brands=("伊利", "蒙牛", "光明", "君乐宝", "三元", "新希望", "卡士", "简爱", "安慕希", "特仑苏"),
        items=("纯牛奶", "酸奶", "低脂牛奶", "风味发酵乳", "鲜牛奶", "儿童奶", "奶酪棒", "早餐奶"),
        flavours=("", "原味", "草莓味", "黄桃味", "燕麦味"),
        sizes=("200ml", "250ml", "950ml", "12盒装", "1L"),
        imported=("Anchor UHT Milk 1L", "Oatly Barista 1L", "Arla Organic Milk 1L", "a2·Milk 1L", "Danone·Activia 4x100g"),
        item_sizes={"奶酪棒": ("90g", "500g"), "纯牛奶": ("250ml", "12盒装", "1L"), "鲜牛奶": ("250ml", "950ml")},
    ),
    Category(
        name="日化清洁", season="steady", amplitude=0.0, sku_share=0.10, traffic_share=0.08,
        price=(5.0, 60.0), margin=(0.25, 0.32), packs=(6, 12, 24), multi_buy=False,
        brands=("蓝月亮", "立白", "超能", "雕牌", "维达", "清风", "心相印", "威猛先生", "洁柔", "奥妙"),
        items=("洗衣液", "洗洁精", "抽纸", "卷纸", "湿巾", "洗衣凝珠", "厨房清洁剂", "垃圾袋", "消毒液"),
        flavours=("", "薰衣草香", "柠檬香", "无香", "茉莉香"),
        sizes=("500ml", "1L", "1.5L", "2L"),
        imported=("Ariel Detergent 1.5L", "Finish Dishwasher Tablets 30pcs", "Kleenex Tissues 3x100"),
        item_sizes={"抽纸": ("3包装", "6包装", "10包装"), "卷纸": ("10卷装", "12卷装", "27卷装"), "湿巾": ("10片", "80片"),
                    "垃圾袋": ("3卷装", "5卷装"), "洗衣液": ("500ml", "1kg", "2kg", "3kg"), "洗衣凝珠": ("30颗", "52颗")},
    ),
    Category(
        name="个人护理", season="steady", amplitude=0.0, sku_share=0.08, traffic_share=0.07,
        price=(6.0, 90.0), margin=(0.35, 0.45), packs=(6, 12, 24), multi_buy=False,
        brands=("云南白药", "舒肤佳", "海飞丝", "飘柔", "力士", "高露洁", "佳洁士", "黑人", "六神", "自然堂"),
        items=("牙膏", "洗发水", "沐浴露", "香皂", "护手霜", "牙刷", "洗面奶", "花露水", "润唇膏"),
        flavours=("", "清爽", "去屑", "美白", "薄荷"),
        sizes=("100g", "150g", "200ml"),
        imported=("Colgate Total 120g", "Head & Shoulders·Classic Clean 400ml", "Dove Body Wash 500ml", "Nivea·Men Face Wash 100g",
                  "Oral-B·Toothbrush 2pcs", "Vaseline·Lip Therapy 20g"),
        item_sizes={"牙膏": ("90g", "120g", "180g"), "牙刷": ("单支装", "2支装", "4支装"), "香皂": ("100g", "3块装"),
                    "洗发水": ("200ml", "400ml", "750ml"), "沐浴露": ("400ml", "750ml", "1L"), "花露水": ("95ml", "195ml"),
                    "润唇膏": ("3.5g",), "护手霜": ("50g", "100g")},
    ),
)
